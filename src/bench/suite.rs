//! One timed run of the shipped suite, in this process, against the reference server with the
//! `slow` flaw: every request waits the same added latency, so the run's time can be set
//! against its critical path in round trips.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use super::BenchError;
use super::critical::{self, CheckTrips, CriticalPath};
use crate::engine::plan::{self, Filters};
use crate::engine::{Interrupt, RunOptions};
use crate::http::HttpOptions;
use crate::http::redact::Redactor;
use crate::model::inputs::{self, InputPaths};
use crate::outcome::{CheckStatus, Event};
use crate::probes::registry::Registry;
use crate::reference::{self, Flaw, ReferenceConfig, ReferenceServer};

/// What one run of the suite took.
#[derive(Debug, Clone)]
pub struct SuiteRun {
    /// From loading the inputs to the last result.
    pub wall: Duration,
    pub critical: CriticalPath,
    /// Checks that reported, and how many of them passed.
    pub checks: usize,
    pub passed: usize,
    /// HTTP requests the run sent, logins included.
    pub requests: usize,
    /// The checks that took longest, with their time and round trips: where the time went.
    pub slowest: Vec<(String, Duration, usize)>,
    /// When, from the start, the phases of the run ended.
    pub timeline: Timeline,
}

/// The phases of a run, each as the time from its start at which it ended.
#[derive(Debug, Clone, Copy, Default)]
pub struct Timeline {
    /// Inputs loaded, client made, shared sessions signed in: the first check starts.
    pub first_check: Duration,
    /// The last active check reported.
    pub active_done: Duration,
    /// The last passive check (over the recorded exchanges) reported.
    pub passive_done: Duration,
    /// When the first check of the critical path started: a late start is the scheduler's.
    pub critical_started: Duration,
}

/// How many of the slowest checks are kept.
const SLOWEST: usize = 8;

/// What the listener saw of one run.
#[derive(Debug, Default)]
struct Observed {
    wall: Duration,
    /// The longest chain of the shared logins' round trips.
    logins: usize,
    /// Per check: its round trips, its time, and when (from the start) it reported.
    checks: HashMap<String, (usize, Duration, Duration)>,
    first_check: Option<Duration>,
    passed: usize,
    requests: usize,
}

/// Runs the shipped suite at `concurrency` against a fresh reference server that adds `latency`
/// to every request; the profile is written in `dir`. Checks that wait on the target's clock
/// (the idle timeout) are left out (`--max-wait 0`): that wait is the target's, not vvcheck's.
pub async fn run(
    dir: &Path,
    latency: Duration,
    concurrency: usize,
) -> Result<SuiteRun, BenchError> {
    let config = ReferenceConfig {
        flaws: vec![Flaw::Slow],
        latency,
        ..ReferenceConfig::default()
    };
    let idle = config.idle_timeout.as_secs();
    let server = ReferenceServer::start(config)
        .await
        .map_err(|e| BenchError::Reference(e.to_string()))?;
    let profile = dir.join(format!("reference-{concurrency}.yaml"));
    let observed = match reference::profile::write(&server, &profile, None, idle, None) {
        Ok(_) => timed(&profile, concurrency).await,
        Err(e) => Err(BenchError::Io(format!(
            "writing {}: {e}",
            profile.display()
        ))),
    };
    server.shutdown().await;
    let observed = observed?;
    let shipped = inputs::load(&InputPaths::default(), &Registry)
        .map_err(|e| BenchError::Inputs(e.to_string()))?;
    // The plan's order: every prerequisite before the checks that need it.
    let plan = plan::build(
        &shipped.catalogue,
        &shipped.checks,
        &Filters::default(),
        &Default::default(),
    );
    let trips = |id: &str| observed.checks.get(id).map_or(0, |c| c.0);
    let planned: Vec<CheckTrips> = plan
        .checks
        .iter()
        .map(|pc| CheckTrips {
            id: pc.check.id.value.clone(),
            needs: pc.needs.clone(),
            round_trips: trips(pc.check.id.as_str()),
        })
        .collect();
    let done_by = |passive: bool| {
        plan.checks
            .iter()
            .filter(|pc| pc.passive == passive)
            .filter_map(|pc| observed.checks.get(pc.check.id.as_str()).map(|c| c.2))
            .max()
            .unwrap_or_default()
    };
    let critical = critical::critical_path(observed.logins, &planned);
    let critical_started = critical
        .checks
        .first()
        .and_then(|(id, _)| observed.checks.get(id))
        .map_or_else(Duration::default, |(_, took, done)| {
            done.saturating_sub(*took)
        });
    let timeline = Timeline {
        first_check: observed.first_check.unwrap_or_default(),
        active_done: done_by(false),
        passive_done: done_by(true),
        critical_started,
    };
    let mut slowest: Vec<(String, Duration, usize)> = observed
        .checks
        .iter()
        .map(|(id, (n, d, _))| (id.clone(), *d, *n))
        .collect();
    slowest.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    slowest.truncate(SLOWEST);
    Ok(SuiteRun {
        wall: observed.wall,
        critical,
        checks: observed.checks.len(),
        passed: observed.passed,
        requests: observed.requests,
        slowest,
        timeline,
    })
}

/// The run itself, watched.
async fn timed(profile: &Path, concurrency: usize) -> Result<Observed, BenchError> {
    let request = crate::RunRequest {
        paths: InputPaths {
            target: Some(profile.to_path_buf()),
            ..InputPaths::default()
        },
        options: RunOptions {
            filters: Filters::default(),
            concurrency,
            http: HttpOptions {
                insecure: false,
                retries: 1,
                rate: None,
                redactor: Redactor::default(),
            },
            strict: false,
            max_wait: Duration::ZERO,
            browser: false,
            interrupt: Interrupt::default(),
        },
    };
    let mut seen = Observed::default();
    let start = Instant::now();
    crate::run(request, |event| match event {
        Event::SignedIn { exchanges, .. } => {
            seen.logins = seen
                .logins
                .max(critical::depth(&critical::spans(exchanges)));
            seen.requests += exchanges.len();
        }
        Event::CheckStarted { .. } => {
            seen.first_check.get_or_insert_with(|| start.elapsed());
        }
        Event::CheckFinished(r) | Event::CheckSkipped(r) => {
            let spans = critical::spans(&r.evidence.exchanges);
            seen.requests += spans.len();
            seen.passed += usize::from(r.status == CheckStatus::Pass);
            seen.checks.insert(
                r.id.clone(),
                (critical::depth(&spans), r.duration, start.elapsed()),
            );
        }
        _ => {}
    })
    .await
    .map_err(|e| BenchError::Run(e.to_string()))?;
    seen.wall = start.elapsed();
    Ok(seen)
}
