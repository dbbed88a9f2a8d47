//! `vvcheck doctor --target FILE`: the first-run checks, printed one line each.

use super::args::DoctorArgs;
use super::out;
use crate::doctor::{self, DoctorError, DoctorOptions};
use crate::model::inputs::InputPaths;
use crate::verdict::exit;

/// Runs the doctor; 0 every step ok, 1 one failed, 2 the profile does not load.
pub async fn doctor(args: DoctorArgs) -> i32 {
    let paths = InputPaths {
        standard: args.suites.standard.clone(),
        suites_dir: args.suites.suites.clone(),
        target: Some(args.target.clone()),
        ..Default::default()
    };
    let options = DoctorOptions {
        insecure: args.insecure,
    };
    match doctor::doctor(&paths, &options).await {
        Ok(report) => {
            out::stdout(&report.render());
            report.exit_code()
        }
        Err(DoctorError::Load(e)) => {
            out::stdout(&format!(
                "FAIL  profile     {} does not load\n                  fix: correct what the errors on stderr say (file:line:column)\n",
                args.target.display()
            ));
            out::load_error(&e)
        }
        Err(e) => {
            eprintln!("{e}");
            exit::INVALID
        }
    }
}
