//! Report writers: the console reporter that follows a run's events as they stream, and the
//! JUnit XML, JSON and HTML files written at the end (and the accessibility conformance report,
//! when the run judged WCAG criteria); the solution specification drawn from a run. [`FanOut`] hands every event to the streaming
//! reporters and, at the end, writes every file into a temporary one through a secret scan, and
//! moves them into place only if none leaked. No writer makes a request or re-derives what the outcome holds.

mod acr;
mod console;
mod html;
mod json;
mod junit;
pub mod spec;
mod staged;
mod summary;
mod text;
mod wcag;

#[cfg(test)]
pub(crate) mod fixture;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::http::redact::Redactor;
use crate::outcome::{Event, RunReport};

pub use acr::{ACR_FILE, acr_markdown};
pub use console::{Console, ConsoleOptions};
pub use html::{HTML_FILE, HtmlOptions, check_dir, report_html};
pub use json::write_results_json;
pub use junit::{JunitFlavor, junit_xml};
pub(crate) use staged::SecretScan;
pub use summary::summary_markdown;

/// File name of the JUnit report inside the output directory.
pub const JUNIT_FILE: &str = "junit.xml";
/// File name of the JSON results inside the output directory.
pub const JSON_FILE: &str = "results.json";

/// Why a report could not be produced or written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// quick-junit could not serialise the report.
    #[error("cannot serialise the JUnit report")]
    Junit(#[from] quick_junit::SerializeError),
    /// The serialised JUnit could not be post-processed (a bug, not bad input).
    #[error("cannot rewrite the JUnit report: {0}")]
    Xml(String),
    /// The secret values could not be prepared for the scan; no report is written unscanned.
    #[error("cannot scan the reports for secrets: {0}")]
    Scan(String),
    /// serde_json could not serialise the results.
    #[error("cannot serialise the JSON results")]
    Json(#[from] serde_json::Error),
    /// A file or directory could not be written.
    #[error("cannot write {}", path.display())]
    Write {
        /// The file or directory that failed.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: io::Error,
    },
}

/// Why the reports were not finished.
#[derive(Debug, thiserror::Error)]
pub enum FinishError {
    /// A report could not be produced or written.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// These reports would have held a secret value; none was written.
    #[error("{} would have contained a secret value and {} not written; this is a vvcheck bug, please report it", .0.join(", "), if .0.len() == 1 { "was" } else { "were" })]
    Leaked(Vec<String>),
}

/// Every reporter of a run: streaming ones see each event; file ones render at the end.
pub struct FanOut {
    console: Console,
    out: Box<dyn io::Write + Send>,
    /// Masks what the console prints with the run's secrets, as a last line of defence.
    mask: Redactor,
    out_dir: PathBuf,
    flavor: JunitFlavor,
    html: HtmlOptions,
}

impl FanOut {
    /// The console (writing to `out`) and the JUnit, JSON and HTML files in `out_dir`.
    pub fn new(
        console: Console,
        out: Box<dyn io::Write + Send>,
        out_dir: &Path,
        flavor: JunitFlavor,
        mask: Redactor,
    ) -> FanOut {
        FanOut {
            console,
            out,
            mask,
            out_dir: out_dir.to_path_buf(),
            flavor,
            html: HtmlOptions::default(),
        }
    }

    /// Links the HTML report's evidence into the bundle at `prefix`, relative to the output
    /// directory (`evidence/`); `None`, the default: no bundle, no links.
    pub fn evidence_prefix(mut self, prefix: Option<String>) -> FanOut {
        self.html.evidence = prefix;
        self
    }

    /// Hands one event to the streaming reporters; a closed stdout is not an error.
    pub fn event(&mut self, event: &Event) {
        let mut text = Vec::new();
        let _ = self.console.event(event, &mut text);
        self.print(&text);
    }

    /// Writes console text with the run's secrets masked.
    fn print(&mut self, text: &[u8]) {
        let masked = self.mask.text(&String::from_utf8_lossy(text));
        let _ = self.out.write_all(masked.as_bytes());
        let _ = self.out.flush();
    }

    /// Renders every file report, refuses all of them if any holds one of `secrets`, else
    /// writes them; then prints the console summary. Returns the paths written.
    pub fn finish(
        &mut self,
        report: &RunReport,
        secrets: &[String],
    ) -> Result<Vec<PathBuf>, FinishError> {
        let dir = &self.out_dir;
        let write_error = |name: &str| {
            let path = dir.join(name);
            move |source| ReportError::Write { path, source }
        };
        let flavor = self.flavor;
        let mut reports = vec![
            (
                JUNIT_FILE,
                staged::stage(dir, JUNIT_FILE, secrets, |w| {
                    let xml = junit_xml(report, flavor)?;
                    w.write_all(xml.as_bytes()).map_err(write_error(JUNIT_FILE))
                })?,
            ),
            (
                JSON_FILE,
                staged::stage(dir, JSON_FILE, secrets, |w| {
                    write_results_json(report, w)?;
                    Ok(())
                })?,
            ),
        ];
        if let Some(acr) = acr_markdown(report) {
            reports.push((
                ACR_FILE,
                staged::stage(dir, ACR_FILE, secrets, |w| {
                    w.write_all(acr.as_bytes()).map_err(write_error(ACR_FILE))
                })?,
            ));
        }
        let html = report_html(report, &self.html);
        reports.push((
            HTML_FILE,
            staged::stage(dir, HTML_FILE, secrets, |w| {
                w.write_all(html.as_bytes()).map_err(write_error(HTML_FILE))
            })?,
        ));
        let leaked: Vec<String> = reports
            .iter()
            .filter(|(_, staged)| staged.is_none())
            .map(|(name, _)| dir.join(name).display().to_string())
            .collect();
        if !leaked.is_empty() {
            return Err(FinishError::Leaked(leaked));
        }
        let mut written = Vec::with_capacity(reports.len());
        for staged in reports.into_iter().filter_map(|(_, s)| s) {
            written.push(staged.commit()?);
        }
        let mut text = Vec::new();
        let _ = self.console.summary(report, &mut text);
        let _ = self.console.reports_written(&written, &mut text);
        self.print(&text);
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    #[test]
    fn write_all_creates_the_directory_and_every_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("reports/nested");
        let report = fixture::report();
        let written = fan_out(&out).finish(&report, &[]).expect("written");
        assert_eq!(
            written,
            vec![
                out.join(JUNIT_FILE),
                out.join(JSON_FILE),
                out.join(HTML_FILE)
            ]
        );
        for path in &written {
            let text = fs::read_to_string(path).expect("readable");
            assert!(!text.is_empty(), "{} is empty", path.display());
        }
    }

    #[test]
    fn write_all_names_the_path_it_could_not_create() {
        let dir = tempfile::tempdir().expect("temp dir");
        let blocker = dir.path().join("file");
        fs::write(&blocker, "not a directory").expect("written");
        let err = fan_out(&blocker.join("sub"))
            .finish(&fixture::report(), &[])
            .expect_err("a file is in the way");
        assert!(
            matches!(err, FinishError::Report(ReportError::Write { ref path, .. }) if path.ends_with("sub"))
        );
    }

    #[test]
    fn no_report_is_written_when_one_would_hold_a_secret() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut report = fixture::report();
        report.checks[2].details = vec!["echoed: hunter2-secret".to_string()];
        let err = fan_out(dir.path())
            .finish(&report, &["hunter2-secret".to_string()])
            .expect_err("a secret is in the report");
        let FinishError::Leaked(files) = err else {
            panic!("expected a leak, got {err:?}");
        };
        assert_eq!(files.len(), 3, "{files:?}");
        for name in [JUNIT_FILE, JSON_FILE, HTML_FILE] {
            assert!(!dir.path().join(name).exists(), "{name}");
        }
    }

    /// A writer whose bytes the test can read afterwards.
    #[derive(Clone, Default)]
    struct Shared(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl io::Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().expect("unpoisoned").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_console_masks_what_slipped_into_a_result() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mask = Redactor::default();
        mask.add("echoed-Secret-9");
        let shared = Shared::default();
        let mut fan = FanOut::new(
            Console::new(ConsoleOptions::default()),
            Box::new(shared.clone()),
            dir.path(),
            JunitFlavor::Default,
            mask,
        );
        let mut report = fixture::report();
        report.checks[2].details = vec!["Location: /login?next=echoed-Secret-9".to_string()];
        fan.event(&Event::CheckFinished(std::sync::Arc::new(
            report.checks[2].clone(),
        )));
        let printed =
            String::from_utf8(shared.0.lock().expect("unpoisoned").clone()).expect("UTF-8");
        assert!(
            printed.contains("Location: /login?next=[REDACTED]"),
            "{printed}"
        );
        assert!(!printed.contains("echoed-Secret-9"));
    }

    fn fan_out(dir: &Path) -> FanOut {
        FanOut::new(
            Console::new(ConsoleOptions::default()),
            Box::new(io::sink()),
            dir,
            JunitFlavor::Default,
            Redactor::default(),
        )
    }
}
