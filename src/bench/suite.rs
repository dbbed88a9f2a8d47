//! One timed run of the shipped suite, in this process, against the reference server with the
//! `slow` flaw: every request waits the same added latency, so the run's time can be set
//! against its critical path in round trips.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use super::BenchError;
use super::critical::{self, CheckTrips, CriticalPath};
use crate::engine::plan::Filters;
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
}

/// How many of the slowest checks are kept.
const SLOWEST: usize = 8;

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
    let outcome = match reference::profile::write(&server, &profile, None, idle) {
        Ok(_) => timed(&profile, concurrency).await,
        Err(e) => Err(BenchError::Io(format!(
            "writing {}: {e}",
            profile.display()
        ))),
    };
    server.shutdown().await;
    let (wall, logins, trips, durations, checks, passed, requests) = outcome?;
    let mut slowest: Vec<(String, Duration, usize)> = durations
        .into_iter()
        .map(|(id, d)| {
            let n = trips.get(&id).copied().unwrap_or(0);
            (id, d, n)
        })
        .collect();
    slowest.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    slowest.truncate(SLOWEST);
    let shipped = inputs::load(&InputPaths::default(), &Registry)
        .map_err(|e| BenchError::Inputs(e.to_string()))?;
    // The plan's order: every prerequisite before the checks that need it.
    let plan = crate::engine::plan::build(
        &shipped.catalogue,
        &shipped.checks,
        &Filters::default(),
        &Default::default(),
    );
    let planned: Vec<CheckTrips> = plan
        .checks
        .iter()
        .map(|pc| CheckTrips {
            id: pc.check.id.value.clone(),
            needs: pc.needs.clone(),
            round_trips: trips.get(pc.check.id.as_str()).copied().unwrap_or(0),
        })
        .collect();
    Ok(SuiteRun {
        wall,
        critical: critical::critical_path(logins, &planned),
        checks,
        passed,
        requests,
        slowest,
    })
}

type Timed = (
    Duration,
    usize,
    HashMap<String, usize>,
    Vec<(String, Duration)>,
    usize,
    usize,
    usize,
);

/// The run itself: its time, the longest shared login, each check's round trips and time, the
/// counts.
async fn timed(profile: &Path, concurrency: usize) -> Result<Timed, BenchError> {
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
    let mut logins = 0;
    let mut trips = HashMap::new();
    let mut durations = Vec::new();
    let (mut checks, mut passed, mut requests) = (0, 0, 0);
    let start = Instant::now();
    crate::run(request, |event| match event {
        Event::SignedIn { exchanges, .. } => {
            logins = logins.max(critical::depth(&critical::spans(exchanges)));
            requests += exchanges.len();
        }
        Event::CheckFinished(r) | Event::CheckSkipped(r) => {
            let spans = critical::spans(&r.evidence.exchanges);
            requests += spans.len();
            trips.insert(r.id.clone(), critical::depth(&spans));
            durations.push((r.id.clone(), r.duration));
            checks += 1;
            passed += usize::from(r.status == CheckStatus::Pass);
        }
        _ => {}
    })
    .await
    .map_err(|e| BenchError::Run(e.to_string()))?;
    Ok((
        start.elapsed(),
        logins,
        trips,
        durations,
        checks,
        passed,
        requests,
    ))
}
