//! `vvcheck merge`: the parts of a partitioned run read back, joined, and written as one run's
//! reports, with the console summary and the exit code the joined verdicts imply.

use std::io;
use std::path::Path;
use std::sync::Arc;

use super::args::{JunitFlavorArg, MergeArgs};
use super::out;
use crate::http::redact::Redactor;
use crate::merge::{self, MergeError};
use crate::model::diag::read_source;
use crate::model::load::{self, embedded};
use crate::model::standard::Catalogue;
use crate::outcome::{CheckStatus, Event, RunReport};
use crate::report::{Console, ConsoleOptions, FanOut, JunitFlavor};
use crate::verdict::exit;

/// The catalogue that orders the joined requirements: `--standard`, else the shipped one.
fn catalogue(path: Option<&Path>) -> Result<Catalogue, String> {
    let src = match path {
        Some(p) => read_source(p).map_err(|e| e.to_string())?,
        None => std::sync::Arc::new(crate::model::diag::SourceFile {
            path: Path::new("<embedded>").join(embedded::STANDARD.0),
            text: embedded::STANDARD.1.to_string(),
        }),
    };
    load::parse(&src)
        .and_then(|root| load::catalogue(&src, &root))
        .map_err(|d| d.to_string())
}

/// Reads every part, naming the first that cannot be read.
fn read_all(files: &[std::path::PathBuf]) -> Result<Vec<(String, RunReport)>, MergeError> {
    files
        .iter()
        .map(|f| merge::read_report(f).map(|r| (f.display().to_string(), r)))
        .collect()
}

/// `vvcheck merge A.json B.json … --out DIR`.
pub fn merge(args: MergeArgs) -> i32 {
    let catalogue = match catalogue(args.standard.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: --standard: {e}");
            return exit::INVALID;
        }
    };
    let joined = read_all(&args.files).and_then(|parts| {
        let n = parts.len();
        merge::join(parts, Some(&catalogue), args.strict).map(|r| (n, r))
    });
    let (n, report) = match joined {
        Ok(j) => j,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::INVALID;
        }
    };
    out::stdout(&format!(
        "vvcheck merge: {n} parts of {} (edition {}): {} checks\n",
        report.target,
        report.edition,
        report.checks.len()
    ));
    let flavor = match args.junit_flavor {
        JunitFlavorArg::Default => JunitFlavor::Default,
        JunitFlavorArg::Extended => JunitFlavor::Extended,
    };
    let console = Console::new(ConsoleOptions {
        color: out::color(),
        quiet: args.quiet,
        verbose: false,
        progress: false,
    });
    // The parts' files were scanned for secrets when they were written; the merge adds none.
    let mut fan = FanOut::new(
        console,
        Box::new(io::stdout()),
        &args.out,
        flavor,
        Redactor::default(),
    );
    // The check lines a run prints, as the console prints them (quiet: failures alone).
    fan.event(&Event::RunStarted {
        total: report.checks.len(),
    });
    for c in &report.checks {
        let c = Arc::new(c.clone());
        fan.event(&match c.status {
            CheckStatus::Skipped => Event::CheckSkipped(c),
            _ => Event::CheckFinished(c),
        });
    }
    match fan.finish(&report, &[]) {
        Ok(_) => report.exit_code,
        Err(e) => {
            eprintln!("error: writing reports to {}: {e}", args.out.display());
            exit::INVALID
        }
    }
}
