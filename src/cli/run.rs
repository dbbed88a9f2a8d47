//! `vvcheck run` and `vvcheck demo`: run through the library entry point with the console and
//! report files as reporters; the fan-out refuses reports that would hold a secret.

use std::io;
use std::path::{Path, PathBuf};

use super::args::{DemoArgs, ExecArgs, JunitFlavorArg, RunArgs};
use super::out;
use crate::engine::plan::Filters;
use crate::engine::{Interrupt, RunOptions};
use crate::http::HttpOptions;
use crate::http::redact::Redactor;
use crate::model::inputs::InputPaths;
use crate::outcome::Event;
use crate::reference::{self, ClientAuth, ReferenceConfig, ReferenceServer};
use crate::report::{Console, ConsoleOptions, FanOut, FinishError, JunitFlavor};
use crate::verdict::exit;
use crate::{RunError, RunRequest};

fn paths(exec: &ExecArgs, target: PathBuf) -> InputPaths {
    InputPaths {
        standard: exec.suites.standard.clone(),
        suites_dir: exec.suites.suites.clone(),
        suite_files: Vec::new(),
        suite_overrides: Vec::new(),
        target: Some(target),
        attestations: exec.attestations.clone(),
        validating: false,
    }
}

/// `vvcheck run --target FILE`.
pub async fn run(args: RunArgs) -> i32 {
    execute(
        paths(&args.exec, args.target.clone()),
        args.insecure,
        &args.exec,
        args.exec.evidence.as_deref(),
    )
    .await
}

fn options(exec: &ExecArgs, insecure: bool, redactor: Redactor) -> RunOptions {
    RunOptions {
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
            redactor,
        },
        strict: exec.strict,
        max_wait: std::time::Duration::from_secs(exec.max_wait),
        browser: exec.browser,
        interrupt: Interrupt::default(),
    }
}

/// Where the HTML report (in `out`) finds the bundle at `dir`: a relative link when the bundle
/// is inside the output folder (the report and its bundle move together), else its absolute
/// path.
fn bundle_href(out: &Path, dir: &Path) -> String {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (out, dir) = (absolute(out), absolute(dir));
    let shown = match dir.strip_prefix(&out) {
        Ok(rel) => rel.display().to_string(),
        Err(_) => dir.display().to_string(),
    };
    format!("{}/", shown.trim_end_matches('/'))
}

async fn execute(
    paths: InputPaths,
    insecure: bool,
    exec: &ExecArgs,
    evidence: Option<&Path>,
) -> i32 {
    if exec.browser
        && let Err(missing) = crate::probes::a11y::browser::BrowserSetup::locate()
    {
        eprintln!(
            "vvcheck: --browser: {missing}; the accessibility pages are judged by the static rules alone"
        );
    }
    let console = Console::new(ConsoleOptions {
        color: out::color(),
        quiet: exec.quiet,
        verbose: exec.verbose,
        progress: out::progress(),
    });
    let flavor = match exec.junit_flavor {
        JunitFlavorArg::Default => JunitFlavor::Default,
        JunitFlavorArg::Extended => JunitFlavor::Extended,
    };
    // One redactor for the run: the client registers every secret it learns, the console masks
    // with it too.
    let redactor = Redactor::default();
    let mut reporters = FanOut::new(
        console,
        Box::new(io::stdout()),
        &exec.out,
        flavor,
        redactor.clone(),
    )
    .evidence_prefix(evidence.map(|dir| bundle_href(&exec.out, dir)));
    let mut bundle = match evidence {
        Some(dir) => match super::bundle::begin(dir) {
            Some(b) => Some(b),
            None => return exit::INVALID,
        },
        None => None,
    };
    let mask = redactor.clone();
    let request = RunRequest {
        paths,
        options: options(exec, insecure, redactor),
    };
    super::signals::stop_on_signals(&request.options.interrupt);
    let outcome = crate::run(request, |event| {
        if let Some(b) = bundle.as_mut() {
            super::bundle::event(b, event, &mask);
        }
        if let Event::InputWarning(w) = event {
            eprintln!("{w}");
        }
        if insecure && matches!(event, Event::RunStarted { .. }) {
            eprintln!(
                "warning: --insecure: the server certificate is NOT verified; every report says so"
            );
        }
        reporters.event(event);
    })
    .await;
    let outcome = match outcome {
        Ok(o) => o,
        Err(RunError::Load(e)) => return out::load_error(&e),
        Err(e) => {
            eprintln!("{e}");
            return exit::INVALID;
        }
    };
    match reporters.finish(&outcome.report, &outcome.secrets) {
        Ok(written) => match bundle {
            Some(b) => super::bundle::finish(b, &outcome, &written, exec.quiet),
            None => outcome.report.exit_code,
        },
        Err(leak @ FinishError::Leaked(_)) => {
            eprintln!("error: {leak}");
            exit::INVALID
        }
        Err(FinishError::Report(e)) => {
            eprintln!("error: writing reports to {}: {e}", exec.out.display());
            exit::INVALID
        }
    }
}

/// `vvcheck demo`: the reference server in-process, the whole suite against it.
pub async fn demo(args: DemoArgs) -> i32 {
    let (dialect, flaws) = (args.dialect, args.flaws.clone());
    let config = ReferenceConfig {
        dialect,
        flaws: flaws.clone(),
        latency: std::time::Duration::from_millis(args.latency_ms),
        token_lifetime: std::time::Duration::from_secs(args.token_lifetime_s),
        client_auth: if args.mtls {
            ClientAuth::Generate
        } else {
            ClientAuth::None
        },
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
    if let Err(e) = reference::profile::write(&server, &profile, None, idle, None) {
        eprintln!("error: cannot write the demo profile: {e}");
        server.shutdown().await;
        return exit::INVALID;
    }
    let mut exec = args.exec.clone();
    if !args.no_reference_attestations {
        match reference::attestations::write(dir.path()) {
            Ok(file) => exec.attestations.insert(0, file),
            Err(e) => {
                eprintln!("error: cannot write the reference attestations: {e}");
                server.shutdown().await;
                return exit::INVALID;
            }
        }
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
    let evidence = exec
        .evidence
        .clone()
        .unwrap_or_else(|| exec.out.join("evidence"));
    let code = execute(paths(&exec, profile.clone()), false, &exec, Some(&evidence)).await;
    server.shutdown().await;
    code
}
