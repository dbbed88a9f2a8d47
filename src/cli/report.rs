//! `vvcheck report`: reports made afterwards from a run's `results.json`; today the solution
//! specification (`report spec`).

use std::io::Write as _;

use super::args::{ReportArgs, ReportCommand, SpecArgs, SpecFormat};
use super::out;
use crate::report::spec::{SolutionSpec, read_results};
use crate::verdict::exit;

/// `vvcheck report …`.
pub fn report(args: ReportArgs) -> i32 {
    match args.what {
        ReportCommand::Spec(a) => spec(a),
    }
}

fn spec(args: SpecArgs) -> i32 {
    let shown = args.results.display();
    let text = match std::fs::read_to_string(&args.results) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {shown}: {e}");
            return exit::INVALID;
        }
    };
    let report = match read_results(&text) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {shown}: {e}");
            return exit::INVALID;
        }
    };
    let spec = SolutionSpec::of(&report);
    let rendered = match args.format {
        SpecFormat::Markdown => spec.markdown(),
        SpecFormat::Json => match serde_json::to_string_pretty(&spec) {
            Ok(j) => j + "\n",
            Err(e) => {
                eprintln!("error: cannot serialise the specification: {e}");
                return exit::INVALID;
            }
        },
    };
    match &args.out {
        None => out::stdout(&rendered),
        Some(path) => {
            let written = std::fs::File::create(path).and_then(|mut f| {
                f.write_all(rendered.as_bytes())?;
                f.flush()
            });
            if let Err(e) = written {
                eprintln!("error: cannot write {}: {e}", path.display());
                return exit::INVALID;
            }
        }
    }
    exit::OK
}
