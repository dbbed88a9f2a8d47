//! Running the plan: every check waits for its prerequisites, then for a concurrency slot, and
//! runs under its time limit. Results stream out as checks finish.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use tokio::sync::{Semaphore, mpsc, watch};

use super::check;
use super::plan::{Plan, PlannedCheck};
use super::{Event, RunCtx};
use crate::model::outcome::{CheckResult, CheckStatus};

/// Default per-check time limit.
pub const DEFAULT_CHECK_TIMEOUT: Duration = Duration::from_secs(120);

/// What a finished check hands to the checks that need it.
#[derive(Debug, Clone)]
struct Done {
    status: CheckStatus,
    vars: Map<String, Value>,
}

fn result(
    pc: &PlannedCheck,
    status: CheckStatus,
    duration: Duration,
    message: String,
) -> CheckResult {
    CheckResult {
        id: pc.check.id.value.clone(),
        title: pc.check.title.clone(),
        domain: pc.domain,
        requirements: pc.requirements.clone(),
        level: pc.level,
        provenance: pc.provenance,
        tags: pc.check.tags.clone(),
        status,
        duration,
        message,
        details: Vec::new(),
        exchanges: Vec::new(),
    }
}

async fn run_one(
    rc: Arc<RunCtx>,
    pc: PlannedCheck,
    deps: Vec<(String, watch::Receiver<Option<Done>>)>,
    slots: Arc<Semaphore>,
) -> (CheckResult, Done) {
    let mut vars = Map::new();
    for (id, mut rx) in deps {
        let done = match rx.wait_for(Option::is_some).await {
            Ok(d) => d.clone(),
            Err(_) => None,
        };
        match done {
            Some(d) if d.status == CheckStatus::Pass => vars.extend(d.vars),
            Some(d) => {
                let why = format!("prerequisite `{id}` did not pass ({})", d.status);
                return (
                    result(&pc, CheckStatus::Skipped, Duration::ZERO, why),
                    Done {
                        status: CheckStatus::Skipped,
                        vars: Map::new(),
                    },
                );
            }
            None => {
                let why = format!("prerequisite `{id}` did not finish");
                return (
                    result(&pc, CheckStatus::Skipped, Duration::ZERO, why),
                    Done {
                        status: CheckStatus::Skipped,
                        vars: Map::new(),
                    },
                );
            }
        }
    }
    if let Some(reason) = &pc.skip {
        return (
            result(&pc, CheckStatus::Skipped, Duration::ZERO, reason.clone()),
            Done {
                status: CheckStatus::Skipped,
                vars: Map::new(),
            },
        );
    }
    let Ok(_permit) = slots.acquire().await else {
        return (
            result(
                &pc,
                CheckStatus::Error,
                Duration::ZERO,
                "the run was stopped".into(),
            ),
            Done {
                status: CheckStatus::Error,
                vars: Map::new(),
            },
        );
    };
    let limit = pc
        .check
        .timeout_s
        .map_or(DEFAULT_CHECK_TIMEOUT, Duration::from_secs);
    let start = Instant::now();
    match tokio::time::timeout(limit, check::run(&rc, &pc.check, vars)).await {
        Ok(outcome) => {
            let mut r = result(&pc, outcome.status, start.elapsed(), outcome.message);
            r.details = outcome.details;
            r.exchanges = outcome.exchanges;
            let done = Done {
                status: outcome.status,
                vars: outcome.vars,
            };
            (r, done)
        }
        Err(_) => {
            let msg = format!(
                "the check did not finish within {} s; not a verdict",
                limit.as_secs()
            );
            (
                result(&pc, CheckStatus::Error, start.elapsed(), msg),
                Done {
                    status: CheckStatus::Error,
                    vars: Map::new(),
                },
            )
        }
    }
}

/// Runs every planned check; each result is sent on `events` as it finishes and returned in
/// plan order.
pub async fn run(
    rc: Arc<RunCtx>,
    plan: &Plan,
    concurrency: usize,
    events: mpsc::UnboundedSender<Event>,
) -> Vec<CheckResult> {
    let slots = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut senders: HashMap<String, watch::Sender<Option<Done>>> = HashMap::new();
    let mut receivers: HashMap<String, watch::Receiver<Option<Done>>> = HashMap::new();
    for pc in &plan.checks {
        let (tx, rx) = watch::channel(None);
        senders.insert(pc.check.id.value.clone(), tx);
        receivers.insert(pc.check.id.value.clone(), rx);
    }
    let mut handles = Vec::new();
    for pc in plan.checks.iter().cloned() {
        let deps = pc
            .needs
            .iter()
            .filter_map(|n| receivers.get(n).map(|rx| (n.clone(), rx.clone())))
            .collect();
        let tx = senders.remove(&pc.check.id.value);
        let rc = Arc::clone(&rc);
        let slots = Arc::clone(&slots);
        let events = events.clone();
        let fallback = pc.clone();
        let task = tokio::spawn(async move {
            let (r, done) = run_one(rc, pc, deps, slots).await;
            if let Some(tx) = tx {
                let _ = tx.send(Some(done));
            }
            let _ = events.send(Event::Finished(Box::new(r.clone())));
            r
        });
        handles.push((task, fallback));
    }
    let mut results = Vec::with_capacity(handles.len());
    for (task, pc) in handles {
        let r = match task.await {
            Ok(r) => r,
            Err(e) => {
                let r = result(
                    &pc,
                    CheckStatus::Error,
                    Duration::ZERO,
                    format!("internal error: {e}"),
                );
                let _ = events.send(Event::Finished(Box::new(r.clone())));
                r
            }
        };
        results.push(r);
    }
    results
}
