//! `vvcheck bench`: what a run costs, measured in one go on one machine against the reference
//! server in this process. Each figure is a ratio or a rate with the raw times behind it, so
//! two machines can be compared; nothing here is a pass or fail.
//!
//! - `critical_path_ratio`: the shipped suite with the `slow` flaw's added latency, its wall
//!   time over its critical path ([`critical`]) at that latency;
//! - `speedup_vs_sequential`: the same suite at `--concurrency 1`, over the concurrent run;
//! - `checks_per_second`, `rss_mb_*`: generated trivial checks ([`generated`]) run by a child
//!   vvcheck on loopback without added latency, its peak memory read from the kernel;
//! - `validate_ms`: `vvcheck validate` of the shipped suites, the median of several;
//! - `nagle_*`: the smaller generated run against a server that leaves Nagle's algorithm on (no
//!   `TCP_NODELAY`, as many do), once over the default one HTTP/2 connection and once over a
//!   pool of HTTP/1.1 connections (`http: { version: "1.1" }`), to show which suffers less.

mod child;
pub mod critical;
mod figures;
mod generated;
mod suite;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use figures::Figures;

use crate::reference::{self, ReferenceConfig, ReferenceServer};

/// How to measure.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Trivial checks of the larger memory run and the rate (the smaller run is a tenth).
    pub checks: usize,
    /// Latency the reference server adds to every request of the suite runs.
    pub latency: Duration,
    /// Concurrency of the concurrent runs.
    pub concurrency: usize,
    /// The vvcheck binary the child runs use (this one).
    pub exe: PathBuf,
}

/// Why the bench could not finish.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("cannot start the reference server: {0}")]
    Reference(String),
    #[error("{0}")]
    Io(String),
    #[error("the shipped inputs do not load: {0}")]
    Inputs(String),
    #[error("the run could not start: {0}")]
    Run(String),
    #[error("a child run failed: {0}")]
    Child(String),
}

/// How many times `validate` is timed; the median is kept.
const VALIDATE_RUNS: usize = 11;

/// Measures every figure; `progress` is told what runs now.
pub async fn run(opts: &BenchOptions, progress: &dyn Fn(&str)) -> Result<Figures, BenchError> {
    let dir = tempfile::Builder::new()
        .prefix("vvcheck-bench-")
        .tempdir()
        .map_err(|e| BenchError::Io(format!("cannot make a temporary folder: {e}")))?;
    let ms = opts.latency.as_millis();
    progress(&format!(
        "the shipped suite, {ms} ms added latency, --concurrency {}",
        opts.concurrency
    ));
    let concurrent = suite::run(dir.path(), opts.latency, opts.concurrency).await?;
    progress(&format!(
        "the shipped suite, {ms} ms added latency, --concurrency 1"
    ));
    let sequential = suite::run(dir.path(), opts.latency, 1).await?;
    let small = (opts.checks / 10).max(1);
    let quiet = ReferenceConfig::default();
    let generated = generated_runs(
        opts,
        dir.path(),
        &quiet,
        None,
        &[small, opts.checks],
        progress,
    )
    .await?;
    let nagle = ReferenceConfig {
        nodelay: false,
        ..ReferenceConfig::default()
    };
    let mut nagle_runs = Vec::new();
    for version in [None, Some("1.1")] {
        let mut run = generated_runs(opts, dir.path(), &nagle, version, &[small], progress).await?;
        nagle_runs.extend(run.pop().map(|r| (version.unwrap_or("auto"), r)));
    }
    progress("vvcheck validate of the shipped suites");
    let validate = validate_times(&opts.exe).await?;
    Ok(Figures::new(
        opts, concurrent, sequential, generated, nagle_runs, validate,
    ))
}

/// One generated run: how many checks, what it cost, how many passed.
pub(crate) type GeneratedRun = (usize, child::ChildRun, usize);

/// The trivial-check runs, in the order of `counts`, each by a child against one reference
/// server started with `config` (no added latency); `http_version` goes in the profile.
async fn generated_runs(
    opts: &BenchOptions,
    dir: &Path,
    config: &ReferenceConfig,
    http_version: Option<&str>,
    counts: &[usize],
    progress: &dyn Fn(&str),
) -> Result<Vec<GeneratedRun>, BenchError> {
    let idle = config.idle_timeout.as_secs();
    let server = ReferenceServer::start(config.clone())
        .await
        .map_err(|e| BenchError::Reference(e.to_string()))?;
    let label = format!(
        "{}{}",
        if config.nodelay { "quiet" } else { "nagle" },
        http_version.map_or_else(String::new, |v| format!("-http{v}"))
    );
    let profile = dir.join(format!("reference-{label}.yaml"));
    let mut runs = Vec::new();
    let result = async {
        reference::profile::write(&server, &profile, None, idle, None)
            .map_err(|e| BenchError::Io(format!("writing {}: {e}", profile.display())))?;
        if let Some(v) = http_version {
            let text = std::fs::read_to_string(&profile)
                .map_err(|e| BenchError::Io(format!("reading {}: {e}", profile.display())))?;
            std::fs::write(&profile, format!("{text}\nhttp: {{ version: \"{v}\" }}\n"))
                .map_err(|e| BenchError::Io(format!("writing {}: {e}", profile.display())))?;
        }
        for &count in counts {
            progress(&format!(
                "{count} generated checks, no added latency, --concurrency {}{}",
                opts.concurrency,
                match (config.nodelay, http_version) {
                    (true, _) => String::new(),
                    (false, v) => format!(
                        ", a server without TCP_NODELAY, HTTP {}",
                        v.unwrap_or("chosen by ALPN (2)")
                    ),
                }
            ));
            let suites = generated::write(dir, count)
                .map_err(|e| BenchError::Io(format!("writing the generated suite: {e}")))?;
            let out = dir.join(format!("out-{label}-{count}"));
            let args: Vec<std::ffi::OsString> = vec![
                "run".into(),
                "--target".into(),
                profile.clone().into(),
                "--suites".into(),
                suites.into(),
                "--out".into(),
                out.clone().into(),
                "--concurrency".into(),
                opts.concurrency.to_string().into(),
                "--quiet".into(),
            ];
            let exe = opts.exe.clone();
            let ran = tokio::task::spawn_blocking(move || child::run(&exe, &args))
                .await
                .map_err(|e| BenchError::Child(e.to_string()))?
                .map_err(|e| BenchError::Child(format!("{}: {e}", opts.exe.display())))?;
            runs.push((count, ran, passed(&out.join("results.json"))?));
        }
        Ok::<_, BenchError>(())
    }
    .await;
    server.shutdown().await;
    result.map(|()| runs)
}

/// How many checks passed in a child's `results.json`: the generated ones must all have run.
fn passed(results: &Path) -> Result<usize, BenchError> {
    let text = std::fs::read_to_string(results)
        .map_err(|e| BenchError::Child(format!("no report at {}: {e}", results.display())))?;
    let json: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| BenchError::Child(format!("{}: {e}", results.display())))?;
    Ok(json["checks"].as_array().map_or(0, |checks| {
        checks.iter().filter(|c| c["status"] == "pass").count()
    }))
}

/// Times `vvcheck validate` of the shipped suites [`VALIDATE_RUNS`] times.
async fn validate_times(exe: &Path) -> Result<Vec<Duration>, BenchError> {
    let exe = exe.to_path_buf();
    tokio::task::spawn_blocking(move || {
        (0..VALIDATE_RUNS)
            .map(|_| match child::run(&exe, ["validate"]) {
                Ok(r) if r.code == Some(0) => Ok(r.wall),
                Ok(r) => Err(BenchError::Child(format!(
                    "vvcheck validate exited {:?}",
                    r.code
                ))),
                Err(e) => Err(BenchError::Child(format!("{}: {e}", exe.display()))),
            })
            .collect()
    })
    .await
    .map_err(|e| BenchError::Child(e.to_string()))?
}
