//! The project's core test: every shipped check passes against the clean reference server in
//! all four dialects, and each flaw is caught by the checks aimed at it and by no unrelated check
//! (mandatory or recommended). Prints the matrix flaw × failing checks. A check or flaw without a row in
//! `PROOFS` fails the test, so every new check ships with its proof (save the WCAG criteria no rule
//! decides, which only a reviewer can fail). On the clean server a criterion rules decide only in
//! part is `manual`, never failed; every accessibility flaw fails exactly the criteria its rows name.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::Reference;
use futures_util::StreamExt;
use std::sync::Arc;

use vvcheck::engine::RunOptions;
use vvcheck::engine::plan::Filters;
use vvcheck::http::HttpOptions;
use vvcheck::model::inputs::{self, InputPaths};
use vvcheck::model::standard::Level;
use vvcheck::outcome::{CheckStatus, RunReport, SkipReason};
use vvcheck::probes::a11y::criteria::{Coverage, Criterion, criterion};
use vvcheck::probes::registry::Registry;
use vvcheck::reference::{Dialect, Flaw};

/// Each shipped check and the flaws that must make it fail.
const PROOFS: &[(&str, &[&str])] = &[
    ("fun.patient-starts-conversation", &["mangled-text"]),
    ("fun.replies-both-ways", &["thread-order"]),
    ("fun.attachment-round-trip", &["attachment-corrupt"]),
    (
        "fun.attachment-refuses-executable",
        &["attachment-any-type"],
    ),
    (
        "fun.attachment-refuses-mislabelled-type",
        &["attachment-any-type"],
    ),
    (
        "fun.attachment-refuses-oversize",
        &["attachment-no-size-limit"],
    ),
    ("fun.attachment-download-headers", &["attachment-inline"]),
    ("sec.transport.http-redirects", &["http-no-redirect"]),
    ("sec.transport.hsts", &["no-hsts"]),
    // `leaky-denial` refuses the right way (401, or 200 + UNAUTHENTICATED in graph) but leaves
    // the message in the body: the denial alone does not pass, the content must be absent.
    (
        "sec.access.anonymous-message",
        &["unauth-message", "leaky-denial"],
    ),
    (
        "sec.access.forged-credentials-message",
        &["unauth-message", "leaky-denial"],
    ),
    ("sec.access.anonymous-attachment", &["unauth-attachment"]),
    (
        "sec.access.forged-credentials-attachment",
        &["unauth-attachment"],
    ),
    (
        "sec.access.cross-patient-message",
        &["idor-message", "idor-conversation"],
    ),
    ("sec.access.cross-patient-attachment", &["idor-attachment"]),
    ("sec.session.cookie-flags", &["weak-cookie"]),
    // A cookie set by a page, not the login: only the check over every response of the run sees it.
    (
        "sec.session.cookie-flags-everywhere",
        &["weak-cookie", "weak-cookie-on-page"],
    ),
    (
        "sec.session.logout-revokes",
        &["no-logout-revoke", "expired-token-accepted"],
    ),
    (
        "sec.session.idle-timeout",
        &["no-idle-timeout", "expired-token-accepted"],
    ),
    ("sec.session.new-cookie-at-login", &["session-fixation"]),
    ("sec.session.lockout", &["no-lockout"]),
    ("sec.errors.no-credential-reflection", &["echo-credentials"]),
    ("prv.cache.messages-not-cacheable", &["cacheable-phi"]),
    ("prv.cache.attachment-not-cacheable", &["cacheable-phi"]),
    ("prv.phi.none-in-urls", &["phi-in-url"]),
    (
        "prv.phi.notifications-carry-no-phi",
        &["phi-in-notification"],
    ),
    (
        "prv.phi.own-conversation-names-no-other-patient",
        &["other-patient-phi"],
    ),
    // `idor-message` shows patient_b patient_a's message, with her name: PRV-04 fails too.
    (
        "prv.phi.no-other-patients-phi",
        &["other-patient-phi", "idor-message"],
    ),
    ("prv.notices.linked-from-entry", &["no-privacy-link"]),
    ("tec.latency.message-operations", &["slow"]),
    ("sec.headers.hardening", &["no-security-headers"]),
    ("sec.transport.hsts-everywhere", &["no-hsts"]),
    (
        "sec.errors.no-disclosure",
        &["stack-trace-errors", "verbose-banner", "leaky-denial"],
    ),
    ("sec.errors.bad-requests-refused", &["stack-trace-errors"]),
    (
        "sec.cors.no-credentialed-hostile-origin",
        &["cors-wildcard", "cors-reflect"],
    ),
    ("sec.disclosure.security-txt", &["no-security-txt"]),
    // A session after logout is a caller without a valid session: the flaws that serve such
    // callers break SEC-06 as well.
    (
        "sec.access.matrix-authenticated",
        &["unauth-message", "unauth-attachment", "leaky-denial"],
    ),
    (
        "sec.access.matrix-other-patient",
        &["idor-message", "idor-attachment", "idor-conversation"],
    ),
    (
        "sec.session.matrix-revoked-expired",
        &[
            "unauth-message",
            "unauth-attachment",
            "leaky-denial",
            "no-logout-revoke",
            "no-idle-timeout",
            "expired-token-accepted",
        ],
    ),
    ("sec.audit.phi-read-recorded", &["no-audit"]),
    ("sec.tls.protocols", &["tls10"]),
    // The TLS 1.0 the `tls10` flaw accepts comes with static-RSA suites, as it did in the wild.
    ("sec.tls.cipher-suites", &["weak-cipher", "tls10"]),
    (
        "sec.tls.certificate",
        &[
            "expired-cert",
            "wrong-host-cert",
            "self-signed",
            "weak-key",
            "sha1-cert",
        ],
    ),
    ("fun.read-receipt", &["no-read-receipt"]),
    // `mangled-text` drops every non-ASCII character, so it breaks FUN-06 too.
    ("fun.text-round-trip", &["unicode-mangle", "mangled-text"]),
    ("fun.close-turns-replies-off", &["close-ignored"]),
    (
        "fun.notices.emergency-and-response-time",
        &["no-emergency-notice", "no-response-time"],
    ),
    (
        "tec.browsers.current-browsers-no-plug-ins",
        &["zoom-blocked"],
    ),
    ("tec.support.contact-and-hours", &["no-support-page"]),
    ("acc.wcag.1.1.1", &["a11y-missing-alt", "a11y-empty-link"]),
    ("acc.wcag.1.3.1", &["a11y-missing-labels"]),
    ("acc.wcag.1.4.3", &["a11y-low-contrast"]),
    ("acc.wcag.1.4.4", &["a11y-zoom-blocked", "zoom-blocked"]),
    ("acc.wcag.2.2.1", &["a11y-meta-refresh"]),
    ("acc.wcag.2.2.2", &["a11y-marquee"]),
    ("acc.wcag.2.4.1", &["a11y-no-bypass"]),
    ("acc.wcag.2.4.2", &["a11y-untitled"]),
    ("acc.wcag.2.4.3", &["a11y-tab-order"]),
    ("acc.wcag.2.4.4", &["a11y-empty-link"]),
    ("acc.wcag.3.1.1", &["a11y-no-lang"]),
    ("acc.wcag.3.1.2", &["a11y-bad-lang-part"]),
    ("acc.wcag.3.3.2", &["a11y-missing-labels"]),
    ("acc.wcag.4.1.1", &["a11y-duplicate-id"]),
    (
        "acc.wcag.4.1.2",
        &[
            "a11y-missing-labels",
            "a11y-empty-button",
            "a11y-empty-link",
        ],
    ),
];

/// The WCAG criterion an `acc.wcag.*` check judges.
fn wcag_criterion(check: &str) -> Option<&'static Criterion> {
    check.strip_prefix("acc.wcag.").and_then(criterion)
}

/// Checks no flaw can make fail: the page audit (it errors or passes; the criteria judge), and
/// the criteria no automated rule decides (always a reviewer's).
fn unfailable(check: &str) -> bool {
    check == "acc.pages" || wcag_criterion(check).is_some_and(|c| c.coverage == Coverage::Reviewer)
}

/// What a check may end on the clean server: a pass, or, for a criterion rules decide only in
/// part (or not at all), `manual` with what a reviewer must confirm.
fn clean_ok(c: &vvcheck::outcome::CheckResult) -> bool {
    match c.status {
        CheckStatus::Pass => true,
        CheckStatus::Skipped => {
            matches!(c.skip_reason, Some(SkipReason::Manual { .. }))
                && wcag_criterion(&c.id).is_some_and(|k| k.coverage != Coverage::Rules)
        }
        _ => false,
    }
}

/// How many runs go at once. All of them together (28 servers and their clients) starve TLS
/// handshakes on a two-core machine until logins fail with `tls handshake eof` or time out,
/// which hides the flaw a run is there to catch.
const RUNS_AT_ONCE: usize = 8;

/// Every dialect of the reference server.
const DIALECTS: [Dialect; 4] = [
    Dialect::Rest,
    Dialect::Forms,
    Dialect::Threads,
    Dialect::Graph,
];

/// Worker threads of each run's own runtime.
const WORKERS_PER_RUN: usize = 2;

/// Flaws that break no requirement: no check may fail (errors are allowed).
const ROBUSTNESS_FLAWS: &[&str] = &["flaky"];

/// One run on a runtime of its own, in a thread of its own, as the vendor's server and vvcheck
/// would be processes of their own: a run that keeps its workers busy (parsing a large page,
/// sniffing an upload) delays only its own requests, not the latency another run measures.
async fn isolated(dialect: Dialect, flaw: Option<Flaw>) -> Arc<RunReport> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(WORKERS_PER_RUN)
            .enable_all()
            .build()
            .expect("a runtime for the run");
        let _ = tx.send(rt.block_on(run(dialect, flaw)));
    });
    rx.await
        .expect("the run's thread reports (it panicked otherwise)")
}

async fn run(dialect: Dialect, flaw: Option<Flaw>) -> Arc<RunReport> {
    let flaws: Vec<Flaw> = flaw.into_iter().collect();
    let r = Reference::start(dialect, &flaws).await;
    let request = vvcheck::RunRequest {
        paths: InputPaths {
            target: Some(r.profile.clone()),
            ..Default::default()
        },
        options: RunOptions {
            filters: Filters::default(),
            concurrency: 16,
            http: HttpOptions {
                insecure: false,
                retries: 1,
                rate: None,
                ..Default::default()
            },
            strict: false,
            max_wait: vvcheck::engine::DEFAULT_MAX_WAIT,
            browser: false,
            interrupt: Default::default(),
        },
    };
    let outcome = vvcheck::run(request, |_| {}).await.expect("the run starts");
    r.server.shutdown().await;
    outcome.report
}

/// How `check` ended in `report`, with its message and notes, for a problem's line.
fn outcome_of(report: &RunReport, check: &str) -> String {
    report.checks.iter().find(|c| c.id == check).map_or_else(
        || "not in the report".to_string(),
        |c| {
            let found: Vec<String> = c
                .findings
                .iter()
                .map(|f| format!("expected {}, saw {}", f.expected, f.seen))
                .collect();
            format!(
                "{} {}: {} [{}] [{}]",
                c.id,
                c.status,
                c.message,
                c.details.join("; "),
                found.join("; ")
            )
        },
    )
}

/// How every check verifying `requirement` ended in `report`.
fn outcomes_for(report: &RunReport, requirement: &str) -> String {
    report
        .checks
        .iter()
        .filter(|c| c.requirements.iter().any(|r| r.as_str() == requirement))
        .filter(|c| c.status != CheckStatus::Pass)
        .map(|c| outcome_of(report, &c.id))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Checks whose verdicts rest on response times.
const TIMED: &[&str] = &["tec.latency.message-operations", "sec.session.lockout"];

/// Why a timing verdict of `report` (a run against `flaw`) is not to be trusted under the
/// matrix's load: a check could not time the target for vvcheck's own load, or a timed check
/// passed where its proof row expects a failure, or failed where none does.
fn timing_suspect(report: &RunReport, flaw: Option<Flaw>) -> Option<String> {
    if let Some(c) = report.checks.iter().find(|c| {
        c.error
            .as_ref()
            .is_some_and(|e| e.kind == vvcheck::outcome::ErrorKind::Overloaded)
    }) {
        return Some(format!("{} overloaded", c.id));
    }
    TIMED.iter().find_map(|id| {
        let expected_fail = flaw.is_some_and(|f| {
            PROOFS
                .iter()
                .any(|(c, flaws)| c == id && flaws.contains(&f.name()))
        });
        let c = report.checks.iter().find(|c| c.id == *id)?;
        match c.status {
            CheckStatus::Fail if !expected_fail => Some(format!("{id} failed")),
            CheckStatus::Pass if expected_fail => Some(format!("{id} passed")),
            _ => None,
        }
    })
}

/// A run's flaw as the matrix names it.
fn flaw_name(flaw: Option<Flaw>) -> String {
    flaw.map_or("(clean)".to_string(), |f| f.name().to_string())
}

fn failing(report: &RunReport) -> BTreeSet<String> {
    report
        .checks
        .iter()
        .filter(|c| c.status == CheckStatus::Fail)
        .map(|c| c.id.clone())
        .collect()
}

#[tokio::test]
async fn every_check_passes_clean_and_catches_its_flaw_in_every_dialect() {
    // Every shipped check has a proof, and every flaw is someone's proof (or a robustness flaw).
    let shipped = inputs::load(&InputPaths::default(), &Registry).expect("shipped suites load");
    let shipped_ids: BTreeSet<&str> = shipped.checks.iter().map(|c| c.id.as_str()).collect();
    let proven: BTreeSet<&str> = PROOFS.iter().map(|(c, _)| *c).collect();
    let unproven: Vec<_> = shipped_ids
        .difference(&proven)
        .filter(|id| !unfailable(id))
        .collect();
    assert!(
        unproven.is_empty(),
        "checks without a proof row in PROOFS: {unproven:?}"
    );
    let stale: Vec<_> = proven.difference(&shipped_ids).collect();
    assert!(
        stale.is_empty(),
        "PROOFS rows for checks that no longer exist: {stale:?}"
    );
    for f in Flaw::ALL {
        let used = PROOFS.iter().any(|(_, flaws)| flaws.contains(&f.name()))
            || ROBUSTNESS_FLAWS.contains(&f.name());
        assert!(
            used,
            "flaw `{}` has no check in PROOFS that catches it",
            f.name()
        );
    }

    // One server per (dialect, flaw), shared by every check of that run; a few runs at once.
    let mut configs: Vec<(Dialect, Option<Flaw>)> = Vec::new();
    for d in DIALECTS {
        configs.push((d, None));
        configs.extend(Flaw::ALL.iter().map(|f| (d, Some(*f))));
    }
    // The `slow` runs wait longest on the server, so they start first.
    configs.sort_by_key(|(_, f)| *f != Some(Flaw::Slow));
    let mut runs: Vec<(Dialect, Option<Flaw>, Arc<RunReport>)> =
        futures_util::stream::iter(configs)
            .map(|(d, f)| async move { (d, f, isolated(d, f).await) })
            .buffer_unordered(RUNS_AT_ONCE)
            .collect()
            .await;
    // Timing verdicts are read here with eight runs sharing two cores, each reference server
    // in the process it is timed from. One the load left undecided (`overloaded`) or that
    // contradicts its proof row is measured again with that run alone, once; the alone run's
    // verdict is the one judged.
    let mut rerun = Vec::new();
    for (d, f, report) in &mut runs {
        if let Some(why) = timing_suspect(report, *f) {
            *report = isolated(*d, *f).await;
            rerun.push(format!("{d}/{} ({why})", flaw_name(*f)));
        }
    }
    let results: BTreeMap<(String, String), Arc<RunReport>> = runs
        .into_iter()
        .map(|(d, f, report)| ((d.to_string(), flaw_name(f)), report))
        .collect();

    let mut matrix = String::from("\nself-verification matrix (flaw × failing checks)\n");
    if !rerun.is_empty() {
        matrix.push_str(&format!(
            "  run again alone (a timing verdict under load): {}\n",
            rerun.join(", ")
        ));
    }
    let mut problems = Vec::new();
    for ((dialect, flaw_name), report) in &results {
        let fails = failing(report);
        // What kept checks from a verdict, so that a run that errors says why.
        for c in report
            .checks
            .iter()
            .filter(|c| c.status == CheckStatus::Error)
        {
            matrix.push_str(&format!(
                "  {dialect:<5} {flaw_name:<20} error {}: {}\n",
                c.id, c.message
            ));
        }
        let errors: Vec<&str> = report
            .checks
            .iter()
            .filter(|c| c.status == CheckStatus::Error)
            .map(|c| c.id.as_str())
            .collect();
        matrix.push_str(&format!(
            "  {dialect:<5} {flaw_name:<20} fail: {:<60} exit {}{}\n",
            fails.iter().cloned().collect::<Vec<_>>().join(", "),
            report.exit_code,
            if errors.is_empty() {
                String::new()
            } else {
                format!("  (errors: {})", errors.join(", "))
            }
        ));
        let Some(flaw) = Flaw::ALL.iter().find(|f| f.name() == flaw_name) else {
            // The clean server: everything passes, exit 0.
            if report.checks.iter().any(|c| !clean_ok(c)) {
                let bad: Vec<String> = report
                    .checks
                    .iter()
                    .filter(|c| !clean_ok(c))
                    .map(|c| format!("{} {}: {}", c.id, c.status, c.message))
                    .collect();
                problems.push(format!(
                    "{dialect}: clean server, checks not passing: {bad:?}"
                ));
            }
            if report.exit_code != 0 {
                problems.push(format!(
                    "{dialect}: clean server exits {}",
                    report.exit_code
                ));
            }
            continue;
        };
        if ROBUSTNESS_FLAWS.contains(&flaw.name()) {
            if !fails.is_empty() {
                problems.push(format!("{dialect}/{flaw_name}: a robustness flaw made checks fail (must be error or pass): {fails:?}"));
            }
            continue;
        }
        for (check, flaws) in PROOFS {
            if flaws.contains(&flaw.name()) && !fails.contains(*check) {
                problems.push(format!(
                    "{dialect}/{flaw_name}: `{check}` did not fail: {}",
                    outcome_of(report, check)
                ));
            }
        }
        // The accessibility checks all verify ACC-2.1.10, so "related" says nothing of them: a
        // flaw fails exactly the criteria its proof rows name.
        for id in fails.iter().filter(|id| id.starts_with("acc.")) {
            let listed = PROOFS
                .iter()
                .any(|(c, flaws)| c == id && flaws.contains(&flaw.name()));
            if !listed {
                let message = report
                    .checks
                    .iter()
                    .find(|c| &c.id == id)
                    .map_or("", |c| c.message.as_str());
                problems.push(format!(
                    "{dialect}/{flaw_name}: `{id}` failed, which no proof row expects of this flaw: {message}"
                ));
            }
        }
        for id in &fails {
            let c = report
                .checks
                .iter()
                .find(|c| &c.id == id)
                .expect("failing check is in the report");
            let related = c
                .requirements
                .iter()
                .any(|r| flaw.requirements().contains(&r.as_str()));
            if !related && c.level == Level::Mandatory {
                problems.push(format!(
                    "{dialect}/{flaw_name}: unrelated mandatory check `{id}` failed: {}",
                    c.message
                ));
            }
        }
        let mandatory = report
            .requirements
            .iter()
            .any(|r| flaw.requirements().contains(&r.id.as_str()) && r.level == Level::Mandatory);
        let expected_exit = if mandatory { 1 } else { 0 };
        if report.exit_code != expected_exit {
            problems.push(format!(
                "{dialect}/{flaw_name}: exit code {} (expected {expected_exit})",
                report.exit_code
            ));
        }
    }
    // The other dialects give the same verdicts as rest for every deterministic flaw.
    for ((dialect, flaw_name), report) in &results {
        if dialect == "rest" || ROBUSTNESS_FLAWS.contains(&flaw_name.as_str()) {
            continue;
        }
        let rest = &results[&("rest".to_string(), flaw_name.clone())];
        let verdicts = |r: &RunReport| {
            r.requirements
                .iter()
                .map(|v| (v.id.to_string(), v.verdict))
                .collect::<Vec<_>>()
        };
        let (mine, theirs) = (verdicts(report), verdicts(rest));
        if mine != theirs {
            let differing: Vec<String> = mine
                .iter()
                .zip(&theirs)
                .filter(|(a, b)| a != b)
                .map(|((id, a), (_, b))| {
                    format!(
                        "{id} {a:?} here ({}), {b:?} in rest ({})",
                        outcomes_for(report, id),
                        outcomes_for(rest, id)
                    )
                })
                .collect();
            problems.push(format!(
                "{flaw_name}: {dialect} and rest verdicts differ: {}",
                differing.join(", ")
            ));
        }
    }
    println!("{matrix}");
    assert!(
        problems.is_empty(),
        "self-verification problems:\n  {}\n{matrix}",
        problems.join("\n  ")
    );
}
