//! `vvcheck run` and `vvcheck demo`: load, run with a streaming console, write the reports,
//! prove no secret reached them, print the summary.

use std::io::{self, Write};
use std::path::PathBuf;

use tokio::sync::mpsc;

use super::args::{DemoArgs, ExecArgs, JunitFlavorArg, RunArgs};
use super::out;
use crate::engine::plan::Filters;
use crate::engine::verdict::exit;
use crate::engine::{self, Event, RunOptions};
use crate::http::HttpOptions;
use crate::model::inputs::{self, InputPaths};
use crate::model::resolve::ResolvedTarget;
use crate::reference::{self, ReferenceConfig, ReferenceServer};
use crate::report::{self as reports, JunitFlavor};
use crate::report::{Console, ConsoleOptions};

fn paths(exec: &ExecArgs, target: PathBuf) -> InputPaths {
    InputPaths {
        standard: exec.suites.standard.clone(),
        suites_dir: exec.suites.suites.clone(),
        suite_files: Vec::new(),
        target: Some(target),
        attestations: exec.attestations.clone(),
    }
}

/// Filters that name nothing are mistakes, not empty runs: `--requirement SEC-99`, `--tag acess`.
fn check_filters(loaded: &inputs::Inputs, exec: &ExecArgs) -> Result<(), String> {
    use crate::model::diag::suggest;
    let ids: Vec<&str> = loaded
        .catalogue
        .requirements
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    for wanted in &exec.requirement {
        if !ids.iter().any(|id| id.eq_ignore_ascii_case(wanted)) {
            let hint = suggest(&wanted.to_ascii_uppercase(), ids.iter().copied())
                .map_or(String::new(), |s| format!("; did you mean `{s}`?"));
            return Err(format!(
                "--requirement `{wanted}` is not in the catalogue (edition {}){hint}",
                loaded.catalogue.edition
            ));
        }
    }
    let mut tags: Vec<&str> = loaded
        .checks
        .iter()
        .flat_map(|c| c.tags.iter().map(String::as_str))
        .collect();
    tags.sort_unstable();
    tags.dedup();
    for wanted in &exec.tag {
        if !tags.contains(&wanted.as_str()) {
            let hint = suggest(wanted, tags.iter().copied()).map_or_else(
                || format!("; tags: {}", tags.join(", ")),
                |s| format!("; did you mean `{s}`?"),
            );
            return Err(format!("no check has tag `{wanted}`{hint}"));
        }
    }
    Ok(())
}

/// `vvcheck run --target FILE`.
pub async fn run(args: RunArgs) -> i32 {
    execute(
        paths(&args.exec, args.target.clone()),
        args.insecure,
        &args.exec,
    )
    .await
}

/// Files under `dir` that contain any of the secrets.
fn leaked(files: &[PathBuf], secrets: &[String]) -> Vec<PathBuf> {
    files
        .iter()
        .filter(|f| {
            std::fs::read(f).is_ok_and(|bytes| {
                let text = String::from_utf8_lossy(&bytes);
                secrets
                    .iter()
                    .any(|s| s.len() >= 4 && text.contains(s.as_str()))
            })
        })
        .cloned()
        .collect()
}

async fn execute(paths: InputPaths, insecure: bool, exec: &ExecArgs) -> i32 {
    let loaded = match inputs::load(&paths) {
        Ok(l) => l,
        Err(e) => return out::load_error(&e),
    };
    let Some((profile, src)) = &loaded.target else {
        eprintln!("error: no target profile");
        return exit::INVALID;
    };
    let target = match ResolvedTarget::resolve(profile, src) {
        Ok(t) => t,
        Err(d) => return out::load_error(&inputs::LoadError::Invalid(d)),
    };
    if let Err(msg) = check_filters(&loaded, exec) {
        eprintln!("error: {msg}");
        return exit::INVALID;
    }
    let opts = RunOptions {
        filters: Filters {
            domains: exec.domain.iter().map(|d| (*d).into()).collect(),
            requirements: exec.requirement.clone(),
            tags: exec.tag.clone(),
            levels: exec.level.iter().map(|l| (*l).into()).collect(),
            partition: exec.partition,
        },
        concurrency: usize::from(exec.concurrency),
        http: HttpOptions {
            insecure,
            retries: exec.retries,
            rate: exec.rate,
        },
        strict: exec.strict,
    };
    if insecure {
        eprintln!(
            "warning: --insecure: the server certificate is NOT verified; every report says so"
        );
    }
    let (tx, mut rx) = mpsc::unbounded_channel();
    let console_opts = ConsoleOptions {
        color: out::color(),
        quiet: exec.quiet,
        verbose: exec.verbose,
        progress: out::progress(),
    };
    let printer = tokio::spawn(async move {
        let mut console = Console::new(console_opts);
        let (mut done, mut total) = (0, 0);
        while let Some(ev) = rx.recv().await {
            match ev {
                Event::Started { total: t } => total = t,
                Event::Finished(r) => {
                    done += 1;
                    let mut stdout = io::stdout().lock();
                    let _ = console.check_finished(&r, done, total, &mut stdout);
                    let _ = stdout.flush();
                }
            }
        }
        console
    });
    let outcome = match engine::run(&loaded, target, &opts, tx).await {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::INVALID;
        }
    };
    let console = match printer.await {
        Ok(c) => c,
        Err(_) => Console::new(console_opts),
    };
    let flavor = match exec.junit_flavor {
        JunitFlavorArg::Default => JunitFlavor::Default,
        JunitFlavorArg::Extended => JunitFlavor::Extended,
    };
    let written = match reports::write_all(&outcome.report, &exec.out, flavor) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: writing reports to {}: {e}", exec.out.display());
            return exit::INVALID;
        }
    };
    let bad = leaked(&written, &outcome.secrets);
    if !bad.is_empty() {
        for f in &bad {
            let _ = std::fs::remove_file(f);
            eprintln!(
                "error: {} contained a secret value and was removed; this is a vvcheck bug, please report it",
                f.display()
            );
        }
        return exit::INVALID;
    }
    let mut stdout = io::stdout().lock();
    let _ = console.summary(&outcome.report, &mut stdout);
    let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
    let _ = writeln!(stdout, "reports: {}", names.join(", "));
    outcome.report.exit_code
}

/// `vvcheck demo`: the reference server in-process, the whole suite against it.
pub async fn demo(args: DemoArgs) -> i32 {
    let (dialect, flaws) = (args.dialect, args.flaws.clone());
    let config = ReferenceConfig {
        dialect,
        flaws: flaws.clone(),
        latency: std::time::Duration::from_millis(args.latency_ms),
        ..ReferenceConfig::default()
    };
    let idle = config.idle_timeout.as_secs();
    let server = match ReferenceServer::start(config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot start the reference server: {e}");
            return exit::INVALID;
        }
    };
    let dir = match tempfile::Builder::new().prefix("vvcheck-demo-").tempdir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: cannot make a temporary folder: {e}");
            server.shutdown().await;
            return exit::INVALID;
        }
    };
    let profile = dir.path().join("reference.yaml");
    if let Err(e) = reference::profile::write(&server, &profile, None, idle) {
        eprintln!("error: cannot write the demo profile: {e}");
        server.shutdown().await;
        return exit::INVALID;
    }
    let flaw_names: Vec<&str> = flaws.iter().map(|f| f.name()).collect();
    out::stdout(&format!(
        "vvcheck demo: reference server ({dialect} dialect, flaws: {}) at {}\n",
        if flaw_names.is_empty() {
            "none".to_string()
        } else {
            flaw_names.join(", ")
        },
        server.base_url
    ));
    let code = execute(paths(&args.exec, profile.clone()), false, &args.exec).await;
    server.shutdown().await;
    code
}
