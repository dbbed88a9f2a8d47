//! The evidence bundle at the command line: writing one after a run's reports, and
//! `vvcheck verify-bundle DIR`.

use std::path::{Path, PathBuf};

use super::args::VerifyBundleArgs;
use super::out;
use crate::bundle::{self, Bundle, BundleRun};
use crate::engine::RunOutcome;
use crate::http::redact::Redactor;
use crate::outcome::Event;
use crate::verdict::exit;

/// Opens the bundle at `dir` before the run; `None` (the reason printed) when it cannot be.
pub fn begin(dir: &Path) -> Option<Bundle> {
    match Bundle::begin(dir) {
        Ok(b) => Some(b),
        Err(e) => {
            eprintln!("error: evidence bundle {}: {e}", dir.display());
            None
        }
    }
}

/// Hands the bundle what it keeps of one event: a sign-in's exchanges, a check's evidence,
/// masked with what the run's redactor knows now.
pub fn event(bundle: &mut Bundle, event: &Event, redactor: &Redactor) {
    let mask = |t: &str| redactor.text(t);
    match event {
        Event::SignedIn {
            actor, exchanges, ..
        } => bundle.login(actor, exchanges, &mask),
        Event::CheckFinished(r) | Event::CheckSkipped(r) => bundle.check(r, &mask),
        _ => {}
    }
}

/// Finishes the bundle of a run whose reports are written; returns the exit code to end with:
/// the run's own when the bundle is whole, [`exit::INVALID`] when it could not be written or
/// would have held a secret (nothing at its place is then changed).
pub fn finish(bundle: Bundle, outcome: &RunOutcome, reports: &[PathBuf], quiet: bool) -> i32 {
    let command: Vec<String> = std::env::args().collect();
    let run = BundleRun {
        report: &outcome.report,
        sources: &outcome.sources,
        reports,
        command: &command,
        secrets: &outcome.secrets,
    };
    match bundle.finish(&run) {
        Ok(w) => {
            if !quiet {
                out::stdout(&format!("evidence: {}\n", w.dir.display()));
            }
            outcome.report.exit_code
        }
        Err(e) => {
            eprintln!("error: evidence bundle: {e}");
            exit::INVALID
        }
    }
}

/// `vvcheck verify-bundle DIR`.
pub fn verify(args: VerifyBundleArgs) -> i32 {
    let v = match bundle::verify(&args.dir) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::INVALID;
        }
    };
    let mut text = String::new();
    for p in &v.problems {
        text.push_str(&format!("{p}\n"));
    }
    if v.problems.is_empty() {
        text.push_str(&format!(
            "{}: whole ({} files, root {})\n",
            args.dir.display(),
            v.files,
            v.root
        ));
        out::stdout(&text);
        exit::OK
    } else {
        text.push_str(&format!(
            "{}: NOT whole: {} problem{}\n",
            args.dir.display(),
            v.problems.len(),
            if v.problems.len() == 1 { "" } else { "s" }
        ));
        out::stdout(&text);
        exit::NON_CONFORMANT
    }
}
