//! Tests of the console reporter, colour off unless said otherwise.

use super::*;
use crate::report::fixture;

fn render(options: ConsoleOptions) -> String {
    let report = fixture::report();
    let mut console = Console::new(options);
    let mut out = Vec::new();
    let total = report.checks.len();
    for (i, check) in report.checks.iter().enumerate() {
        console
            .check_finished(check, i + 1, total, &mut out)
            .expect("written");
    }
    console.summary(&report, &mut out).expect("written");
    String::from_utf8(out).expect("UTF-8")
}

fn plain() -> String {
    render(ConsoleOptions::default())
}

#[test]
fn one_line_per_status() {
    let text = plain();
    for line in [
        "PASS [PRV-01] Notifications carry no PHI  (privacy.PRV-01, mandatory) prv.notification.no-phi 0.12 s",
        "FAIL [SEC-05] Another patient's message is readable  (security.SEC-05, mandatory) sec.access.cross-patient 0.31 s",
        "ERROR [SEC-01] Legacy TLS refused  (security.SEC-01, mandatory) sec.tls.legacy 0.12 s — tls_probe: connection reset after 30.0 s (retried once); not a verdict",
        "SKIP [FUN-03] Attachment round trip  (functionality.FUN-03, mandatory) fun.attachment.round-trip 0.00 s — prerequisite `sec.access.cross-patient` did not pass (fail)",
        "PASS [PRV-02,SEC-06] No PHI in URLs  (privacy.PRV-02, recommended) prv.url.no-phi 0.12 s",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing line {line:?} in:\n{text}"
        );
    }
    assert!(!text.contains('\x1b'), "colour is off");
    assert!(!text.contains('\r'), "progress is off");
}

#[test]
fn failures_show_the_finding_indented() {
    let text = plain();
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("FAIL [SEC-05]"))
        .expect("fail line");
    assert!(lines[at + 1].starts_with("     GET /api/messages/42 as patient_b → 200 OK"));
    assert!(lines[at + 2].starts_with("     expected 403/404 without content · evidence:"));
    assert_eq!(
        lines[at + 3],
        "     at suites/security.yaml:24:7",
        "the step"
    );
    assert!(
        !lines[at + 4].starts_with("     "),
        "exchanges only when verbose"
    );
}

#[test]
fn errors_name_the_step_they_stopped_at() {
    let text = plain();
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("ERROR [SEC-01]"))
        .expect("error line");
    assert_eq!(lines[at + 1], "     at suites/security.yaml:8:7");
}

#[test]
fn verbose_adds_the_exchanges() {
    let text = render(ConsoleOptions {
        verbose: true,
        ..ConsoleOptions::default()
    });
    assert!(
        text.contains("     > GET https://vendor.example:8443/api/messages/42 ("),
        "{text}"
    );
    assert!(text.contains("     < 200 OK"), "{text}");
    assert!(text.contains("     < connection reset"), "{text}");
}

#[test]
fn quiet_prints_only_failures_and_errors_and_the_final_line() {
    let text = render(ConsoleOptions {
        quiet: true,
        ..ConsoleOptions::default()
    });
    assert!(text.contains("FAIL [SEC-05]"));
    assert!(text.contains("ERROR [SEC-01]"));
    for line in text.lines() {
        assert!(
            line.starts_with("FAIL [")
                || line.starts_with("ERROR [")
                || line.starts_with(INDENT)
                || line.starts_with("vvcheck: 8 checks"),
            "quiet mode printed {line:?} in:\n{text}"
        );
    }
    assert_eq!(
        text.lines().last(),
        Some(
            "vvcheck: 8 checks: 5 passed, 1 failed, 1 errors, 1 skipped; overall: incomplete — exit code 1"
        ),
        "{text}"
    );
    let mut reports = Vec::new();
    Console::new(ConsoleOptions {
        quiet: true,
        ..ConsoleOptions::default()
    })
    .reports_written(&[PathBuf::from("reports/junit.xml")], &mut reports)
    .expect("written");
    assert!(reports.is_empty(), "no reports line when quiet");
}

#[test]
fn summary_has_domains_requirements_warning_and_final_line() {
    let text = plain();
    for line in [
        "domain           pass  fail  error  skipped",
        "privacy             2     0      0        0",
        "security            2     1      1        0",
        "functionality       1     0      0        1",
        "total               5     1      1        1",
        "MANUAL [SEC-14] PHI is encrypted at rest — needs an attestation (see --attestations)",
        "ATTESTED [PRV-09] Records are retained per policy  (mandatory) — A. Reviewer (Acme Health, CISO), 2025-01-10: retention policy v3",
        "FAIL [SEC-05] Patients only see their own messages  (mandatory; checks: sec.access.cross-patient)",
        "N/A [TEC-02] Mobile app supports current OS versions  (mandatory) — target has no mobile app",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing line {line:?} in:\n{text}"
        );
    }
    assert!(text.contains("WARNING certificate verification was off (--insecure)"));
    assert_eq!(
        text.lines().last(),
        Some(
            "vvcheck: 8 checks: 5 passed, 1 failed, 1 errors, 1 skipped; overall: incomplete — exit code 1"
        )
    );
}

#[test]
fn colour_wraps_labels_only_when_asked() {
    let text = render(ConsoleOptions {
        color: true,
        ..ConsoleOptions::default()
    });
    assert!(text.contains("\x1b[1;31mFAIL\x1b[0m [SEC-05]"));
    assert!(text.contains("\x1b[32mPASS\x1b[0m [PRV-01]"));
}

#[test]
fn progress_line_is_redrawn_and_cleared() {
    let text = render(ConsoleOptions {
        progress: true,
        ..ConsoleOptions::default()
    });
    assert!(text.contains("[1/8] prv.notification.no-phi"));
    assert!(text.contains("[8/8] fun.send.message\r"));
    let before_summary = text.split("domain ").next().unwrap_or_default();
    assert!(
        before_summary.ends_with("\r\n"),
        "the progress line is cleared before the summary"
    );
}

/// A writer that fails like a closed pipe.
struct ClosedPipe;

impl Write for ClosedPipe {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::from(io::ErrorKind::BrokenPipe))
    }
    fn flush(&mut self) -> io::Result<()> {
        Err(io::Error::from(io::ErrorKind::BrokenPipe))
    }
}

#[test]
fn broken_pipe_is_an_error_not_a_panic() {
    let report = fixture::report();
    let mut console = Console::new(ConsoleOptions::default());
    let err = console
        .check_finished(&report.checks[0], 1, 8, &mut ClosedPipe)
        .expect_err("pipe closed");
    assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
    let err = console
        .summary(&report, &mut ClosedPipe)
        .expect_err("pipe closed");
    assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
}

#[test]
fn target_text_cannot_drive_the_terminal() {
    let mut report = fixture::report();
    let cross = &mut report.checks[2];
    cross.title = "evil\u{1b}[2J title".to_string();
    cross.details = vec!["body: \u{1b}]0;pwned\u{7} done\r\nmore".to_string()];
    let mut console = Console::new(ConsoleOptions {
        verbose: true,
        ..ConsoleOptions::default()
    });
    let mut out = Vec::new();
    console
        .check_finished(&report.checks[2], 3, 8, &mut out)
        .expect("written");
    let text = String::from_utf8(out).expect("UTF-8");
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "{text:?}"
    );
    assert!(text.contains("FAIL [SEC-05] evil[2J title"));
    assert!(text.contains("     body: ]0;pwned done more"));
}

#[test]
fn verbose_reads_a_spilled_body_back() {
    let spill = crate::http::spill::Spill::new().expect("temp file");
    let body = format!(
        "{{\"text\": \"spilled-marker\", \"pad\": \"{}\"}}",
        "x".repeat(8192)
    );
    let kept = spill.keep(body);
    assert!(matches!(kept, crate::outcome::Body::Spilled { .. }));
    let mut report = fixture::report();
    let cross = report
        .checks
        .iter_mut()
        .find(|c| c.id == "sec.access.cross-patient")
        .expect("fixture check");
    cross.evidence.exchanges[0].response_body = Some(kept);
    let mut console = Console::new(ConsoleOptions {
        verbose: true,
        ..ConsoleOptions::default()
    });
    let mut out = Vec::new();
    console
        .check_finished(cross, 1, 1, &mut out)
        .expect("written");
    let text = String::from_utf8(out).expect("UTF-8");
    assert!(text.contains("< {\"text\": \"spilled-marker\""), "{text}");
}

#[test]
fn verbose_shows_each_attempt_of_a_retried_request() {
    let report = fixture::report();
    let mut e = report
        .checks
        .iter()
        .find_map(|c| c.evidence.exchanges.first())
        .expect("a check with an exchange")
        .clone();
    e.status = Some(200);
    e.error = None;
    e.attempts = vec![crate::outcome::Attempt {
        error: "request failed: connection reset by peer".into(),
        elapsed: std::time::Duration::from_millis(4),
    }];
    let lines = exchange_lines(&e);
    let at = lines
        .iter()
        .position(|l| l.starts_with("< attempt"))
        .expect("an attempt line");
    assert_eq!(
        lines[at],
        "< attempt 1 of 2: request failed: connection reset by peer (4 ms); retried"
    );
    assert_eq!(lines[at + 1], "< 200 OK (30 ms, attempt 2 of 2)");
}

#[test]
fn verbose_shows_the_shared_sessions_logins_and_default_verbosity_does_not() {
    let exchanges: Vec<_> = fixture::report()
        .checks
        .iter()
        .flat_map(|c| c.evidence.exchanges.clone())
        .take(1)
        .collect();
    assert_eq!(exchanges.len(), 1, "the fixture has an exchange to show");
    let events = [
        Event::SignedIn {
            actor: "patient_a".into(),
            exchanges: exchanges.clone(),
            error: None,
        },
        Event::SignedIn {
            actor: "clinician".into(),
            exchanges,
            error: Some("token endpoint answered 401".into()),
        },
    ];
    let shown = |verbose: bool| {
        let mut console = Console::new(ConsoleOptions {
            verbose,
            ..ConsoleOptions::default()
        });
        let mut out = Vec::new();
        for e in &events {
            console.event(e, &mut out).expect("written");
        }
        String::from_utf8(out).expect("UTF-8")
    };
    let text = shown(true);
    assert!(
        text.contains("LOGIN patient_a: signed in\n     > "),
        "{text}"
    );
    assert!(
        text.contains("LOGIN clinician: could not sign in: token endpoint answered 401"),
        "{text}"
    );
    assert_eq!(shown(false), "");
}
