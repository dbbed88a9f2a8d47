//! `vvcheck bench`: measures, prints the table, writes `bench.json`.

use std::io::Write as _;
use std::time::Duration;

use super::args::BenchArgs;
use crate::bench::{self, BenchOptions};
use crate::verdict::exit;

/// Runs the bench; exit 0 when every figure was measured, 2 when a run could not be made.
pub async fn bench(args: BenchArgs) -> i32 {
    let exe = match std::env::current_exe() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: cannot find the vvcheck binary to run as a child: {e}");
            return exit::INVALID;
        }
    };
    if cfg!(debug_assertions) {
        eprintln!(
            "warning: this is a debug build: its figures say little; measure with `cargo run --release -- bench`"
        );
    }
    let opts = BenchOptions {
        checks: usize::try_from(args.checks).unwrap_or(usize::MAX),
        latency: Duration::from_millis(args.latency_ms),
        concurrency: usize::from(args.concurrency),
        exe,
    };
    let progress = |what: &str| eprintln!("bench: {what}");
    let figures = match bench::run(&opts, &progress).await {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::INVALID;
        }
    };
    let path = args.out.join("bench.json");
    let text = match serde_json::to_string_pretty(&figures.to_json()) {
        Ok(t) => t + "\n",
        Err(e) => {
            eprintln!("error: {e}");
            return exit::INVALID;
        }
    };
    let written = std::fs::create_dir_all(&args.out).and_then(|()| {
        let mut file = tempfile::NamedTempFile::new_in(&args.out)?;
        file.write_all(text.as_bytes())?;
        file.persist(&path).map_err(|e| e.error)?;
        Ok(())
    });
    if let Err(e) = written {
        eprintln!("error: writing {}: {e}", path.display());
        return exit::INVALID;
    }
    print!("{}", figures.table());
    println!("written: {}", path.display());
    0
}
