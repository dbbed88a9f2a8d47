//! `vvcheck summary results.json`: a run as Markdown on stdout, e.g. for a CI job summary.

use super::args::SummaryArgs;
use super::out;
use crate::merge;
use crate::report::summary_markdown;
use crate::verdict::exit;

/// Prints the summary; exit 2 when the file is not a run's results.
pub fn summary(args: SummaryArgs) -> i32 {
    match merge::read_report(&args.file) {
        Ok(report) => {
            out::stdout(&summary_markdown(&report));
            exit::OK
        }
        Err(e) => {
            eprintln!("error: {e}");
            exit::INVALID
        }
    }
}
