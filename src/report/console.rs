//! The console reporter: one line per finished check while the run streams, then a summary per
//! domain and per requirement and the final count. Plain ANSI colour, only when asked for.

use std::cell::Cell;
use std::io::{self, Write};
use std::path::PathBuf;

use super::text::{NEEDS_ATTESTATION, reason_text, requirement_list, seconds, terminal_line};
use crate::model::standard::Domain;
use crate::outcome::{CheckResult, CheckStatus, Event, RunReport, Standing, Summary, Verdict};

/// How the console reporter writes; the caller decides from flags, `NO_COLOR` and the terminal.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ConsoleOptions {
    /// Colour labels with ANSI escape codes.
    pub color: bool,
    /// Print only failed and errored checks, and the summary's final line.
    pub quiet: bool,
    /// Also print the exchanges each check recorded.
    pub verbose: bool,
    /// Keep a `[done/total]` progress line updated with `\r` (terminals only).
    pub progress: bool,
}

/// Writes check results as they arrive and the summary at the end.
#[derive(Debug)]
pub struct Console {
    options: ConsoleOptions,
    /// Width of the progress line on screen, 0 when none is shown.
    progress_width: Cell<usize>,
    /// Checks reported so far, and how many the plan holds.
    done: usize,
    total: usize,
}

const RESET: &str = "\x1b[0m";
const RED: &str = "\x1b[1;31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const MAGENTA: &str = "\x1b[1;35m";
const CYAN: &str = "\x1b[36m";
const BOLD: &str = "\x1b[1m";
/// Indent of the lines under a check, as in DESIGN.md "What a finding says".
const INDENT: &str = "     ";

impl Console {
    /// A reporter with the given options.
    pub fn new(options: ConsoleOptions) -> Console {
        Console {
            options,
            progress_width: Cell::new(0),
            done: 0,
            total: 0,
        }
    }

    /// Reports one finished check: its line (skipped in quiet mode unless it failed or errored),
    /// the finding for failures and errors, the exchanges when verbose, then the progress line.
    pub fn check_finished(
        &mut self,
        r: &CheckResult,
        done: usize,
        total: usize,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        self.clear_progress(out)?;
        let noteworthy = matches!(r.status, CheckStatus::Fail | CheckStatus::Error);
        if noteworthy || !self.options.quiet {
            self.write_check(r, out)?;
        }
        if self.options.progress {
            let line = format!("[{done}/{total}] {}", r.id);
            write!(out, "{line}")?;
            self.progress_width.set(line.chars().count());
        }
        out.flush()
    }

    fn write_check(&self, r: &CheckResult, out: &mut dyn Write) -> io::Result<()> {
        let label = self.paint(status_colour(r.status), r.status.label());
        write!(
            out,
            "{label} [{}] {}  ({}, {}) {} {}",
            requirement_list(r),
            terminal_line(&r.title),
            r.classname,
            r.level,
            r.id,
            seconds(r.duration),
        )?;
        let message = terminal_line(&r.message);
        match r.status {
            CheckStatus::Error | CheckStatus::Skipped if !message.is_empty() => {
                writeln!(out, " — {message}")?;
            }
            _ => writeln!(out)?,
        }
        let mut lines: Vec<String> = Vec::new();
        if r.status == CheckStatus::Fail {
            if r.details.is_empty() && !message.is_empty() {
                lines.push(message);
            }
            lines.extend(r.details.iter().map(|d| terminal_line(d)));
        } else if r.status == CheckStatus::Error {
            lines.extend(r.details.iter().map(|d| terminal_line(d)));
        }
        lines.extend(location_line(r));
        if self.options.verbose {
            for e in &r.evidence.exchanges {
                lines.extend(exchange_lines(e));
            }
        }
        for line in lines {
            writeln!(out, "{INDENT}{line}")?;
        }
        Ok(())
    }

    /// Takes one event of the run: a line per finished or skipped check, with progress.
    pub fn event(&mut self, event: &Event, out: &mut dyn Write) -> io::Result<()> {
        match event {
            Event::RunStarted { total } => self.total = *total,
            Event::CheckFinished(r) | Event::CheckSkipped(r) => {
                self.done += 1;
                let (done, total) = (self.done, self.total);
                self.check_finished(r, done, total, out)?;
            }
            // With -v, the shared sessions' logins, which no check's evidence holds.
            Event::SignedIn {
                actor,
                exchanges,
                error,
            } if self.options.verbose => {
                self.clear_progress(out)?;
                let how = match error {
                    None => "signed in".to_string(),
                    Some(e) => format!("could not sign in: {}", terminal_line(e)),
                };
                writeln!(out, "LOGIN {actor}: {how}")?;
                for line in exchanges.iter().flat_map(exchange_lines) {
                    writeln!(out, "{INDENT}{line}")?;
                }
            }
            // Warnings go to stderr, where the command line prints them.
            Event::InputWarning(_)
            | Event::SignedIn { .. }
            | Event::CheckStarted { .. }
            | Event::RunFinished(_) => {}
        }
        Ok(())
    }

    /// Writes the end-of-run summary: counts per domain, verdicts per requirement, the
    /// `--insecure` warning and the final line with the exit code; in quiet mode the final
    /// line alone.
    pub fn summary(&self, report: &RunReport, out: &mut dyn Write) -> io::Result<()> {
        self.clear_progress(out)?;
        if !self.options.quiet {
            self.details(report, out)?;
        }
        self.final_line(report, out)
    }

    /// Where the reports went (not in quiet mode, which prints the final line alone).
    pub fn reports_written(&self, paths: &[PathBuf], out: &mut dyn Write) -> io::Result<()> {
        if self.options.quiet {
            return Ok(());
        }
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        writeln!(out, "reports: {}", names.join(", "))?;
        out.flush()
    }

    /// The summary's tables and notes: domains, requirements, `--insecure`, the partition.
    fn details(&self, report: &RunReport, out: &mut dyn Write) -> io::Result<()> {
        self.domain_table(report, out)?;
        self.requirement_list(report, out)?;
        self.entries(report, out)?;
        self.standing(report, out)?;
        if report.insecure {
            writeln!(
                out,
                "{} certificate verification was off (--insecure); TLS results do not vouch for the certificate chain",
                self.paint(YELLOW, "WARNING")
            )?;
        }
        if let Some(proxy) = &report.proxy {
            writeln!(out, "proxy {proxy}")?;
        }
        if let Some(partition) = &report.partition {
            writeln!(
                out,
                "partition {partition}: this report covers part of the plan"
            )?;
        }
        Ok(())
    }

    /// `vvcheck: N checks: … — exit code C`.
    fn final_line(&self, report: &RunReport, out: &mut dyn Write) -> io::Result<()> {
        let s = report.summary;
        writeln!(
            out,
            "vvcheck: {} checks: {} passed, {} failed, {} errors, {} skipped; overall: {} — exit code {}",
            s.pass + s.fail + s.error + s.skipped,
            s.pass,
            s.fail,
            s.error,
            s.skipped,
            report.overall.standing,
            report.exit_code
        )?;
        out.flush()
    }

    fn domain_table(&self, report: &RunReport, out: &mut dyn Write) -> io::Result<()> {
        writeln!(
            out,
            "\n{:<15} {:>5} {:>5} {:>6} {:>8}",
            "domain", "pass", "fail", "error", "skipped"
        )?;
        for domain in Domain::ALL {
            let mut s = Summary::default();
            for check in report.checks.iter().filter(|c| c.domain == domain) {
                s.add(check.status);
            }
            if s == Summary::default() {
                continue;
            }
            writeln!(
                out,
                "{:<15} {:>5} {:>5} {:>6} {:>8}",
                domain.as_str(),
                s.pass,
                s.fail,
                s.error,
                s.skipped
            )?;
        }
        let s = report.summary;
        writeln!(
            out,
            "{:<15} {:>5} {:>5} {:>6} {:>8}\n",
            "total", s.pass, s.fail, s.error, s.skipped
        )
    }

    fn requirement_list(&self, report: &RunReport, out: &mut dyn Write) -> io::Result<()> {
        // A heading, so a requirement's verdict is not read as its check's line printed again.
        writeln!(
            out,
            "requirements ({}), each the verdict of its checks:",
            report.requirements.len()
        )?;
        for rv in &report.requirements {
            let label = verdict_label(rv.verdict);
            let painted = self.paint(verdict_colour(rv.verdict), label);
            let title = terminal_line(&rv.title);
            match rv.verdict {
                Verdict::Manual if rv.checks.is_empty() => {
                    let need = rv
                        .reason
                        .as_deref()
                        .map_or(NEEDS_ATTESTATION.to_string(), terminal_line);
                    writeln!(out, "{painted} [{}] {title} — {need}", rv.id)?;
                }
                Verdict::Manual | Verdict::Attested | Verdict::Waived | Verdict::NotApplicable => {
                    writeln!(
                        out,
                        "{painted} [{}] {title}  ({}) — {}",
                        rv.id,
                        rv.level,
                        terminal_line(&reason_text(rv))
                    )?;
                }
                Verdict::Pass | Verdict::Fail | Verdict::Error => {
                    writeln!(
                        out,
                        "{painted} [{}] {title}  ({}; checks: {})",
                        rv.id,
                        rv.level,
                        rv.checks.join(", ")
                    )?;
                }
            }
        }
        writeln!(out)
    }

    /// The attestations and waivers that did not count, and why; the ones that did are in
    /// their requirement's line.
    fn entries(&self, report: &RunReport, out: &mut dyn Write) -> io::Result<()> {
        let rejected: Vec<_> = report
            .attestations
            .iter()
            .filter(|e| e.outcome.is_rejected())
            .collect();
        if rejected.is_empty() {
            return Ok(());
        }
        writeln!(
            out,
            "attestations and waivers that do not count ({} of {}):",
            rejected.len(),
            report.attestations.len()
        )?;
        for e in rejected {
            writeln!(
                out,
                "{} {} for {} at {}: {}",
                self.paint(YELLOW, "NOT COUNTED"),
                e.entry,
                terminal_line(&e.requirement),
                terminal_line(&e.source),
                terminal_line(e.note.as_deref().unwrap_or("does not count"))
            )?;
        }
        writeln!(out)
    }

    /// `overall: …` in the programme's terms, and the mandatory requirements behind it.
    fn standing(&self, report: &RunReport, out: &mut dyn Write) -> io::Result<()> {
        let o = &report.overall;
        let ids = |v: &[crate::outcome::RequirementId]| {
            v.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
        };
        let (colour, why) = match o.standing {
            Standing::NotConformant => (
                RED,
                format!("mandatory requirements failed: {}", ids(&o.failed)),
            ),
            Standing::Incomplete => {
                let mut parts = Vec::new();
                if !o.errored.is_empty() {
                    parts.push(format!("could not be checked: {}", ids(&o.errored)));
                }
                if !o.manual.is_empty() {
                    parts.push(format!(
                        "left to a reviewer or an attestation: {}",
                        ids(&o.manual)
                    ));
                }
                if let Some(p) = &o.partial {
                    parts.push(p.clone());
                }
                (
                    YELLOW,
                    format!("mandatory requirements {}", parts.join("; ")),
                )
            }
            Standing::ConformantAttested | Standing::ConformantValidated => {
                let mut parts =
                    vec!["every mandatory requirement passed its checks or is covered".to_string()];
                if !o.vendor_attested.is_empty() {
                    parts.push(format!(
                        "attested by the vendor: {}",
                        ids(&o.vendor_attested)
                    ));
                }
                if !o.reviewed.is_empty() {
                    parts.push(format!("signed off by a reviewer: {}", ids(&o.reviewed)));
                }
                if !o.waived.is_empty() {
                    parts.push(format!("waived: {}", ids(&o.waived)));
                }
                if !o.not_applicable.is_empty() {
                    parts.push(format!("not applicable: {}", ids(&o.not_applicable)));
                }
                (GREEN, parts.join("; "))
            }
        };
        let label = o.standing.label().to_uppercase();
        writeln!(out, "overall: {} — {why}", self.paint(colour, &label))
    }

    /// Blanks the progress line, if one is on screen.
    fn clear_progress(&self, out: &mut dyn Write) -> io::Result<()> {
        let width = self.progress_width.replace(0);
        if width > 0 {
            write!(out, "\r{:width$}\r", "")?;
        }
        Ok(())
    }

    fn paint(&self, colour: &str, text: &str) -> String {
        if self.options.color {
            format!("{colour}{text}{RESET}")
        } else {
            text.to_string()
        }
    }
}

fn status_colour(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Pass => GREEN,
        CheckStatus::Fail => RED,
        CheckStatus::Error => MAGENTA,
        CheckStatus::Skipped => YELLOW,
    }
}

fn verdict_label(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "PASS",
        Verdict::Fail => "FAIL",
        Verdict::Error => "ERROR",
        Verdict::Manual => "MANUAL",
        Verdict::Attested => "ATTESTED",
        Verdict::Waived => "WAIVED",
        Verdict::NotApplicable => "N/A",
    }
}

fn verdict_colour(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => GREEN,
        Verdict::Fail => RED,
        Verdict::Error => MAGENTA,
        Verdict::Manual => CYAN,
        Verdict::Attested | Verdict::Waived | Verdict::NotApplicable => BOLD,
    }
}

#[cfg(test)]
#[path = "console_tests.rs"]
mod tests;

/// How much of a body `--verbose` shows.
const VERBOSE_BODY: usize = 600;

/// `at suites/security.yaml:24:7`: the suite step a failure or error came from.
pub(crate) fn location_line(r: &CheckResult) -> Option<String> {
    let at = match r.status {
        CheckStatus::Fail => r.findings.first().and_then(|f| f.at.as_ref()),
        CheckStatus::Error => r.error.as_ref().and_then(|e| e.at.as_ref()),
        _ => None,
    }?;
    Some(format!("at {at}"))
}

/// An exchange in full for `--verbose`, curl-style: `>` sent, `<` received (already redacted),
/// each attempt that failed and was retried on a line of its own before the outcome.
fn exchange_lines(e: &crate::outcome::Exchange) -> Vec<String> {
    let mut lines = vec![format!(
        "> {} {} ({}, as {})",
        e.method,
        terminal_line(&e.url),
        e.purpose,
        e.actor
    )];
    lines.extend(
        e.request_headers
            .iter()
            .map(|(k, v)| format!("> {k}: {}", terminal_line(v))),
    );
    if let Some(b) = &e.request_body {
        lines.push(format!("> {}", excerpt(&b.text())));
    }
    let tries = e.attempts.len() + 1;
    for (i, a) in e.attempts.iter().enumerate() {
        lines.push(format!(
            "< attempt {} of {tries}: {} ({} ms); retried",
            i + 1,
            terminal_line(&a.error),
            a.elapsed.as_millis()
        ));
    }
    let last = if tries > 1 {
        format!(", attempt {tries} of {tries}")
    } else {
        String::new()
    };
    match (e.status, &e.error) {
        (Some(s), _) => lines.push(format!(
            "< {s} {} ({} ms{last})",
            crate::http::reason(s),
            e.elapsed.as_millis()
        )),
        (None, Some(err)) => lines.push(format!("< {}", terminal_line(err))),
        (None, None) => {}
    }
    lines.extend(
        e.response_headers
            .iter()
            .map(|(k, v)| format!("< {k}: {}", terminal_line(v))),
    );
    if let Some(b) = &e.response_body {
        lines.push(format!("< {}", excerpt(&b.text())));
    }
    lines
}

fn excerpt(body: &str) -> String {
    let line = terminal_line(body);
    match line.char_indices().nth(VERBOSE_BODY) {
        Some((i, _)) => format!("{}… ({} bytes)", &line[..i], body.len()),
        None => line,
    }
}
