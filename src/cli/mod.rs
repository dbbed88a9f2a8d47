//! Command-line interface: clap definitions and dispatch. Each command lives in its own file
//! and returns an exit code; nothing here does the work itself.

mod args;
mod bench;
mod bundle;
mod diff;
mod doctor;
mod list;
mod merge;
mod out;
mod report;
mod run;
mod serve;
mod signals;
mod summary;
mod table;
mod validate;

use clap::Parser;

pub use args::Cli;
use args::Command;

/// Runs the command line; returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                crate::verdict::exit::INVALID
            } else {
                0
            };
            let _ = e.print();
            return code;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return crate::verdict::exit::INVALID;
        }
    };
    runtime.block_on(async move {
        match cli.command {
            Command::Run(a) => run::run(a).await,
            Command::Demo(a) => run::demo(a).await,
            Command::Validate(a) => validate::validate(a),
            Command::List(a) => list::list(a),
            Command::ServeReference(a) => serve::serve(a).await,
            Command::Doctor(a) => doctor::doctor(a).await,
            Command::Report(a) => report::report(a),
            Command::VerifyBundle(a) => bundle::verify(a),
            Command::Merge(a) => merge::merge(a),
            Command::Diff(a) => diff::diff(a),
            Command::Summary(a) => summary::summary(a),
            Command::Bench(a) => bench::bench(a).await,
        }
    })
}
