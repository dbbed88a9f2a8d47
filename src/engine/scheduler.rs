//! Running the plan: every check waits for its prerequisites, then for a concurrency slot, and
//! runs under its time limit. Results stream out as checks finish.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use tokio::sync::{Semaphore, mpsc, watch};

use super::plan::{Plan, PlannedCheck};
use super::{RunCtx, step};
use crate::outcome::{
    CheckError, CheckResult, CheckStatus, ErrorKind, Event, SkipReason, classname,
};

/// Default per-check time limit.
pub const DEFAULT_CHECK_TIMEOUT: Duration = Duration::from_secs(120);

/// What a finished check hands to the checks that need it.
#[derive(Debug, Clone)]
struct Done {
    status: CheckStatus,
    vars: Map<String, Value>,
}

fn result(pc: &PlannedCheck, status: CheckStatus, duration: Duration) -> CheckResult {
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
        message: String::new(),
        details: Vec::new(),
        classname: classname(pc.domain, &pc.requirements, &pc.check.id),
        exchanges: Vec::new(),
        findings: Vec::new(),
        error: None,
        skip_reason: None,
        evidence: Default::default(),
    }
}

fn skipped(pc: &PlannedCheck, why: SkipReason) -> (CheckResult, Done) {
    let mut r = result(pc, CheckStatus::Skipped, Duration::ZERO);
    r.message = why.to_string();
    r.skip_reason = Some(why);
    (r, Done::nothing(CheckStatus::Skipped))
}

fn errored(pc: &PlannedCheck, duration: Duration, e: CheckError) -> (CheckResult, Done) {
    let mut r = result(pc, CheckStatus::Error, duration);
    r.message = e.message.clone();
    r.error = Some(e);
    (r, Done::nothing(CheckStatus::Error))
}

impl Done {
    fn nothing(status: CheckStatus) -> Done {
        Done {
            status,
            vars: Map::new(),
        }
    }
}

async fn run_one(
    rc: Arc<RunCtx>,
    pc: PlannedCheck,
    deps: Vec<(String, watch::Receiver<Option<Done>>)>,
    slots: Arc<Semaphore>,
    events: &mpsc::UnboundedSender<Event>,
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
                let why = SkipReason::PrerequisiteFailed {
                    check: id,
                    status: d.status,
                };
                return skipped(&pc, why);
            }
            None => return skipped(&pc, SkipReason::PrerequisiteUnfinished { check: id }),
        }
    }
    if let Some(reason) = &pc.skip {
        return skipped(&pc, reason.clone());
    }
    let Ok(_permit) = slots.acquire().await else {
        let e = CheckError::new(ErrorKind::Interrupted, "the run was stopped");
        return errored(&pc, Duration::ZERO, e);
    };
    let _ = events.send(Event::CheckStarted {
        id: pc.check.id.value.clone(),
    });
    let limit = pc
        .check
        .timeout_s
        .map_or(DEFAULT_CHECK_TIMEOUT, Duration::from_secs);
    let start = Instant::now();
    // Boxed: the steps' state machine is large, and every waiting check would otherwise carry
    // room for it while it only waits for prerequisites and a slot.
    let steps = Box::pin(step::run(&rc, &pc.check, vars));
    match tokio::time::timeout(limit, steps).await {
        Ok(outcome) => {
            let mut r = result(&pc, outcome.status, start.elapsed());
            r.message = outcome.message;
            r.details = outcome.details;
            r.findings = outcome.findings;
            r.error = outcome.error;
            r.exchanges = outcome
                .evidence
                .exchanges
                .iter()
                .map(|e| e.summary())
                .collect();
            r.evidence = outcome.evidence;
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
            errored(
                &pc,
                start.elapsed(),
                CheckError::new(ErrorKind::Timeout, msg),
            )
        }
    }
}

/// Sends a result to the listeners; they get the whole of it, the caller keeps it without its
/// evidence (the listeners hold what they need of it), so memory does not grow with exchanges.
fn report(events: &mpsc::UnboundedSender<Event>, mut r: CheckResult) -> CheckResult {
    let evidence = std::mem::take(&mut r.evidence);
    let full = Arc::new(CheckResult {
        evidence,
        ..r.clone()
    });
    let event = if r.status == CheckStatus::Skipped {
        Event::CheckSkipped(full)
    } else {
        Event::CheckFinished(full)
    };
    let _ = events.send(event);
    r
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
            let (r, done) = run_one(rc, pc, deps, slots, &events).await;
            if let Some(tx) = tx {
                let _ = tx.send(Some(done));
            }
            report(&events, r)
        });
        handles.push((task, fallback));
    }
    let mut results = Vec::with_capacity(handles.len());
    for (task, pc) in handles {
        let r = match task.await {
            Ok(r) => r,
            Err(e) => {
                let e = CheckError::new(ErrorKind::Internal, format!("internal error: {e}"));
                report(&events, errored(&pc, Duration::ZERO, e).0)
            }
        };
        results.push(r);
    }
    results
}
