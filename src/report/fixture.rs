//! A hand-built [`RunReport`] for the writers' tests: every check status across three domains,
//! two checks sharing a title, a check with two requirements, and manual, attested, waived and
//! not-applicable requirements without checks.

use std::time::Duration;

use crate::outcome::{
    CheckError, CheckResult, CheckStatus, Domain, ErrorKind, Evidence, Exchange, Finding, Level,
    Provenance, RequirementId, RequirementVerdict, RunReport, SCHEMA_VERSION, SkipReason,
    SourceLocation, Summary, Verdict, VerdictCounts, classname,
};

/// The sample report.
pub(crate) fn report() -> RunReport {
    let checks = checks();
    let requirements = requirements();
    RunReport {
        schema_version: SCHEMA_VERSION,
        tool: "vvcheck".to_string(),
        verdicts: VerdictCounts::of(&requirements),
        edition: "2024-05".to_string(),
        target: "staging".to_string(),
        base_url: "https://vendor.example:8443/api".to_string(),
        tool_version: "0.1.0".to_string(),
        started_at: "2025-03-01T12:00:00Z".to_string(),
        duration: Duration::from_millis(4_321),
        insecure: true,
        proxy: None,
        partition: Some("1/2".to_string()),
        filters: None,
        interrupted: None,
        suites_digest: String::new(),
        passive_checks: Vec::new(),
        summary: Summary::of(&checks),
        checks,
        requirements,
        exit_code: 1,
        overall: Default::default(),
        attestations: Vec::new(),
    }
}

fn ids(list: &[&str]) -> Vec<RequirementId> {
    list.iter()
        .map(|id| RequirementId((*id).to_string()))
        .collect()
}

/// A check result with nothing to say; tests adjust the fields they care about.
pub(crate) fn check(id: &str, title: &str, domain: Domain, reqs: &[&str]) -> CheckResult {
    CheckResult {
        id: id.to_string(),
        title: title.to_string(),
        domain,
        requirements: ids(reqs),
        level: Level::Mandatory,
        provenance: Provenance::Confirmed,
        tags: vec![domain.as_str().to_string()],
        status: CheckStatus::Pass,
        duration: Duration::from_millis(120),
        message: String::new(),
        details: Vec::new(),
        classname: classname(domain, &ids(reqs), id),
        exchanges: Vec::new(),
        tls: Vec::new(),
        access: serde_json::Value::Null,
        latency: Vec::new(),
        a11y: Vec::new(),
        findings: Vec::new(),
        error: None,
        skip_reason: None,
        evidence: Evidence::default(),
    }
}

/// Gives a check its evidence and the one-line summaries results.json lists.
fn with_exchanges(check: &mut CheckResult, exchanges: Vec<Exchange>) {
    check.exchanges = exchanges.iter().map(Exchange::summary).collect();
    check.evidence = Evidence {
        exchanges,
        ..Evidence::default()
    };
}

fn at(line: u32) -> Option<SourceLocation> {
    Some(SourceLocation {
        file: "suites/security.yaml".to_string(),
        line,
        column: 7,
    })
}

/// An exchange with `status`, or a transport error where there is none.
pub(crate) fn exchange(actor: &str, method: &str, url: &str, status: Option<u16>) -> Exchange {
    Exchange {
        actor: actor.to_string(),
        purpose: "get_message".to_string(),
        method: method.to_string(),
        url: url.to_string(),
        request_headers: Vec::new(),
        request_body: None,
        status,
        response_headers: Vec::new(),
        response_body: None,
        response_size: 0,
        reflected: Vec::new(),
        sent: None,
        error: status.is_none().then(|| "connection reset".to_string()),
        elapsed: Duration::from_millis(30),
        attempts: Vec::new(),
    }
}

fn checks() -> Vec<CheckResult> {
    let mut url = check(
        "prv.url.no-phi",
        "No PHI in URLs",
        Domain::Privacy,
        &["PRV-02", "SEC-06"],
    );
    url.level = Level::Recommended;
    url.provenance = Provenance::Inferred;
    url.tags = vec!["phi".to_string(), "url".to_string()];

    let mut cross = check(
        "sec.access.cross-patient",
        "Another patient's message is readable",
        Domain::Security,
        &["SEC-05"],
    );
    cross.status = CheckStatus::Fail;
    cross.tags = vec!["access".to_string(), "idor".to_string()];
    cross.duration = Duration::from_millis(310);
    cross.message = "expected 403/404 without content, got 200 OK".to_string();
    cross.details = vec![
        "GET /api/messages/42 as patient_b → 200 OK with patient_a's message text (\"Zoë Tremblay\" canary in body)".to_string(),
        "expected 403/404 without content · evidence: checks/sec.access.cross-patient/003.http".to_string(),
    ];
    with_exchanges(
        &mut cross,
        vec![exchange(
            "patient_b",
            "GET",
            "https://vendor.example:8443/api/messages/42",
            Some(200),
        )],
    );
    cross.findings = vec![Finding {
        exchange: cross.exchanges.first().cloned(),
        at: at(24),
        ..Finding::new("status 403/404", "200 OK")
    }];

    let mut tls = check(
        "sec.tls.legacy",
        "Legacy TLS refused",
        Domain::Security,
        &["SEC-01"],
    );
    tls.status = CheckStatus::Error;
    tls.message =
        "tls_probe: connection reset after 30.0 s (retried once); not a verdict".to_string();
    with_exchanges(
        &mut tls,
        vec![exchange(
            "anonymous",
            "GET",
            "https://vendor.example:8443/",
            None,
        )],
    );
    tls.error = Some(CheckError {
        at: at(8),
        ..CheckError::new(ErrorKind::Transport, tls.message.clone())
    });

    let hsts = check(
        "sec.headers.hsts",
        "Security headers present",
        Domain::Security,
        &["SEC-07"],
    );
    let csp = check(
        "sec.headers.csp",
        "Security headers present",
        Domain::Security,
        &["SEC-07"],
    );

    let mut attach = check(
        "fun.attachment.round-trip",
        "Attachment round trip",
        Domain::Functionality,
        &["FUN-03"],
    );
    attach.status = CheckStatus::Skipped;
    attach.duration = Duration::ZERO;
    let why = SkipReason::PrerequisiteFailed {
        check: "sec.access.cross-patient".to_string(),
        status: CheckStatus::Fail,
    };
    attach.message = why.to_string();
    attach.skip_reason = Some(why);

    vec![
        check(
            "prv.notification.no-phi",
            "Notifications carry no PHI",
            Domain::Privacy,
            &["PRV-01"],
        ),
        url,
        cross,
        tls,
        hsts,
        csp,
        attach,
        check(
            "fun.send.message",
            "Patient can send a message",
            Domain::Functionality,
            &["FUN-01"],
        ),
    ]
}

fn verdict(
    id: &str,
    title: &str,
    domain: Domain,
    verdict: Verdict,
    checks: &[&str],
    reason: Option<&str>,
) -> RequirementVerdict {
    RequirementVerdict {
        id: RequirementId(id.to_string()),
        title: title.to_string(),
        text: format!("{title}: the requirement as the catalogue words it."),
        domain,
        level: Level::Mandatory,
        provenance: Provenance::Confirmed,
        verdict,
        checks: checks.iter().map(|c| (*c).to_string()).collect(),
        reason: reason.map(str::to_string),
        signoff: None,
    }
}

fn requirements() -> Vec<RequirementVerdict> {
    use Domain::*;
    use Verdict::*;
    vec![
        verdict(
            "PRV-01",
            "Notifications carry no PHI",
            Privacy,
            Pass,
            &["prv.notification.no-phi"],
            None,
        ),
        verdict(
            "PRV-02",
            "No PHI in URLs",
            Privacy,
            Pass,
            &["prv.url.no-phi"],
            None,
        ),
        verdict(
            "PRV-05",
            "Privacy notice is shown before first use",
            Privacy,
            Manual,
            &[],
            None,
        ),
        verdict(
            "PRV-09",
            "Records are retained per policy",
            Privacy,
            Attested,
            &[],
            Some("A. Reviewer (Acme Health, CISO), 2025-01-10: retention policy v3"),
        ),
        verdict(
            "SEC-01",
            "Only TLS 1.2 or later",
            Security,
            Error,
            &["sec.tls.legacy"],
            None,
        ),
        verdict(
            "SEC-05",
            "Patients only see their own messages",
            Security,
            Fail,
            &["sec.access.cross-patient"],
            None,
        ),
        verdict(
            "SEC-06",
            "Session identifiers stay out of URLs",
            Security,
            Pass,
            &["prv.url.no-phi"],
            None,
        ),
        verdict(
            "SEC-07",
            "Security headers are set",
            Security,
            Pass,
            &["sec.headers.hsts", "sec.headers.csp"],
            None,
        ),
        verdict(
            "SEC-14",
            "PHI is encrypted at rest",
            Security,
            Manual,
            &[],
            None,
        ),
        verdict(
            "ACC-1.4.3",
            "Text contrast is at least 4.5:1",
            Accessibility,
            Waived,
            &[],
            Some("waiver W-2025-03 until 2025-12-31: contrast fix scheduled"),
        ),
        verdict(
            "TEC-02",
            "Mobile app supports current OS versions",
            Technology,
            NotApplicable,
            &[],
            Some("target has no mobile app"),
        ),
        verdict(
            "FUN-01",
            "Patients can send messages",
            Functionality,
            Pass,
            &["fun.send.message"],
            None,
        ),
        verdict(
            "FUN-03",
            "Attachments can be exchanged",
            Functionality,
            Manual,
            &["fun.attachment.round-trip"],
            Some("its only check was skipped"),
        ),
    ]
}
