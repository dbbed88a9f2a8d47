//! The HTML report against the writers' fixture: every section present, values escaped
//! wherever the target, a suite or an attestation file put them, evidence links only with a
//! bundle.

use serde_json::json;

use super::*;
use crate::outcome::{
    AttestationRecord, EntryKind, EntryOutcome, EvidenceFile, Finding, Overall, RequirementId,
    Signatory, SignoffKind, Standing,
};
use crate::report::fixture;

const PAYLOADS: [&str; 3] = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "</style>",
];

fn attestation(text: &str, outcome: EntryOutcome) -> AttestationRecord {
    AttestationRecord {
        entry: EntryKind::Attestation,
        requirement: "PRV-09".to_string(),
        kind: Some(SignoffKind::Vendor),
        text: text.to_string(),
        by: Signatory {
            name: "A. Reviewer".to_string(),
            organisation: "Acme Health".to_string(),
            role: "CISO".to_string(),
        },
        date: "2025-01-10".to_string(),
        expires: "2025-02-10".to_string(),
        scope: Some("target: staging".to_string()),
        approval: None,
        evidence: vec![EvidenceFile {
            file: "policy.pdf".to_string(),
            sha256: "ab".repeat(32),
            size: 1234,
        }],
        source: "attestations.yaml:4:5".to_string(),
        outcome,
        note: Some("expired on 2025-02-10".to_string()),
    }
}

/// The fixture with every record kind filled, and `payload` in every text a run takes from
/// outside.
fn report(payload: &str) -> RunReport {
    let mut r = fixture::report();
    r.overall = Overall {
        standing: Standing::NotConformant,
        failed: vec![RequirementId("SEC-05".to_string())],
        errored: vec![RequirementId("SEC-01".to_string())],
        manual: vec![RequirementId("SEC-14".to_string())],
        ..Overall::default()
    };
    let cross = &mut r.checks[2];
    cross.title = format!("Cross-patient read {payload}");
    cross
        .exchanges
        .push(format!("GET /x?q={payload} as patient_b → 200 OK"));
    cross.findings.push(Finding::new(
        format!("no {payload}"),
        format!("body {payload}"),
    ));
    cross.access = json!([
        {"row": "other patient", "actor": "patient_b", "operation": "get_message",
         "expected": "denied", "outcome": "ok", "status": 200, "verdict": "fail"},
        {"row": "anonymous", "actor": "anonymous", "operation": "get_message",
         "expected": "denied", "outcome": "denied", "status": 401, "verdict": "pass"}
    ]);
    r.checks[3].tls = vec![json!({
        "endpoint": "vendor.example:8443", "aspect": "protocols", "attempts": [],
        "facts": {"protocols": [
            {"version": "TLS 1.0", "accepted": true, "detail": format!("cipher {payload}")},
            {"version": "TLS 1.3", "accepted": true, "detail": "cipher TLS_AES_128_GCM_SHA256"}
        ]}
    })];
    r.checks[7].latency = vec![json!({
        "threshold_ms": 50, "users": 5, "requests_per_user": 20, "stopped_early_by": null,
        "operations": [{"operation": "send_message", "answers": 12, "failed": 0,
            "p50_ms": 20, "p95_ms": 80, "max_ms": 90,
            "histogram": [{"le_ms": 25, "count": 8}, {"le_ms": 50, "count": 2},
                          {"le_ms": 100, "count": 2}, {"le_ms": null, "count": 0}]}]
    })];
    let mut wcag = fixture::check(
        "acc.wcag.1.1.1",
        "WCAG 1.1.1",
        crate::outcome::Domain::Accessibility,
        &["ACC-1.1.1"],
    );
    wcag.a11y = vec![json!({
        "criterion": "1.1.1", "name": "Non-text Content", "level": "A",
        "conformance": "does_not_support",
        "pages": [{"page": "entry", "fetched": "anonymously", "conformance": "does_not_support",
                   "remark": "1 element fails", "fails": [{"selector": "#logo", "rule": "image-alt",
                   "message": "no alt", "snippet": format!("<img alt=\"{payload}\">")}]}]
    })];
    r.checks.push(wcag);
    let reason = &mut r.requirements[3].reason;
    *reason = Some(format!("retention policy {payload}"));
    r.attestations = vec![
        attestation(&format!("We attest {payload}"), EntryOutcome::Expired),
        attestation("Counted one", EntryOutcome::Counted),
    ];
    r
}

fn html(payload: &str, evidence: Option<&str>) -> String {
    report_html(
        &report(payload),
        &HtmlOptions {
            evidence: evidence.map(str::to_string),
        },
    )
}

#[test]
fn nothing_from_the_run_survives_unescaped() {
    for payload in PAYLOADS {
        let page = html(payload, Some("evidence/"));
        assert!(!page.contains("<script"), "{payload}: a script element");
        assert!(!page.contains("<img"), "{payload}: an img element");
        assert!(
            page.contains(&escape::esc(payload)),
            "{payload}: shown as text, quotes too"
        );
        assert_eq!(
            page.matches("</style>").count(),
            1,
            "{payload}: only the report's own stylesheet ends"
        );
    }
}

#[test]
fn every_section_is_there_and_the_page_is_self_contained() {
    let page = html("x", None);
    for id in [
        "overall",
        "requirements",
        "findings",
        "access",
        "tls",
        "accessibility",
        "latency",
        "attestations",
        "specification",
    ] {
        assert!(page.contains(&format!("<section id=\"{id}\"")), "{id}");
    }
    assert!(
        page.contains("content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"")
    );
    for external in ["src=\"http", "href=\"http", "<link", "@import", "url("] {
        assert!(!page.contains(external), "{external}");
    }
    assert!(page.contains("--insecure: the server certificate was NOT verified"));
    assert!(page.contains("<dt>Partition</dt><dd>1/2</dd>"));
    assert!(page.contains("Standing: not conformant"));
    assert!(
        page.contains("<span class=\"badge v-fail\">fail</span>"),
        "colour and text"
    );
    assert!(
        page.contains("F-01: Cross-patient read x")
            && page.contains("<dt>Severity</dt><dd><strong>High</strong>"),
        "a mandatory requirement's failure is a High finding"
    );
    assert!(page.contains("E-01: Legacy TLS refused"), "errors apart");
    assert!(
        page.contains("<tr class=\"rejected\"><td>PRV-09</td>"),
        "expired highlighted"
    );
    assert!(page.contains("<svg"), "a latency histogram");
    assert!(page.contains(
        "<th scope=\"row\">other patient <span class=\"muted\">as patient_b</span></th>"
    ));
    assert!(
        !page.contains("exchanges.http\""),
        "no bundle, no evidence links"
    );
}

#[test]
fn with_a_bundle_checks_link_to_their_evidence_folder() {
    let page = html("x", Some("evidence/"));
    assert!(
        page.contains("<a href=\"evidence/checks/sec.access.cross-patient/exchanges.http\">"),
        "exchanges"
    );
    assert!(page.contains("evidence/checks/sec.access.cross-patient/access.json"));
    assert!(page.contains("evidence/checks/sec.tls.legacy/tls.json"));
}

#[test]
fn a_failure_of_recommended_requirements_only_is_medium() {
    let mut r = fixture::report();
    r.checks[1].status = crate::outcome::CheckStatus::Fail;
    for q in &mut r.requirements {
        if ["PRV-02", "SEC-06"].contains(&q.id.as_str()) {
            q.level = crate::outcome::Level::Recommended;
        }
    }
    let ctx = Ctx {
        report: &r,
        evidence: None,
    };
    assert_eq!(ctx.severity(&r.checks[1]), findings::Severity::Medium);
    assert_eq!(ctx.severity(&r.checks[2]), findings::Severity::High);
}
