//! Running the plan, as a dispatcher apart from the executor: the dispatcher keeps, for every
//! check, how many prerequisites it still waits for, starts a check once they have all reported
//! and a slot is free (or skips it when one did not pass), and hands the variables on. Only the
//! running checks are tasks, so a plan of thousands of checks costs a few words each while it
//! waits. Each check runs under its time limit; results stream out as checks finish.

use std::cmp::Reverse;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::plan::{Plan, PlannedCheck};
use super::{RunCtx, step};
use crate::http::redact::Redactor;
use crate::model::probe::ProbeCatalog;
use crate::model::suite::StepKind;
use crate::outcome::{
    CheckError, CheckResult, CheckStatus, ErrorKind, Event, SkipReason, classname,
};
use crate::probes::registry::Registry;

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
        tls: Vec::new(),
        access: serde_json::Value::Null,
        latency: Vec::new(),
        a11y: Vec::new(),
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

/// Runs one check whose prerequisites passed, with the variables they exported.
async fn execute(
    rc: Arc<RunCtx>,
    pc: PlannedCheck,
    vars: Map<String, Value>,
) -> (CheckResult, Done) {
    let mut limit = pc
        .check
        .timeout_s
        .map_or(DEFAULT_CHECK_TIMEOUT, Duration::from_secs);
    if pc.waits {
        limit += rc.max_wait;
    }
    let start = Instant::now();
    match tokio::time::timeout(limit, step::run(&rc, &pc.check, vars)).await {
        Ok(outcome) => {
            rc.recorded.add(&pc.check.id, &outcome.evidence.exchanges);
            let mut r = result(&pc, outcome.status, start.elapsed());
            r.message = outcome.message;
            r.skip_reason = outcome.skip;
            r.details = outcome.details;
            r.findings = outcome.findings;
            r.error = outcome.error;
            r.exchanges = outcome
                .evidence
                .exchanges
                .iter()
                .map(|e| e.summary())
                .collect();
            r.tls = outcome.evidence.tls.clone();
            r.access = outcome.evidence.access.clone();
            r.latency = outcome.evidence.latency.clone();
            r.a11y = outcome.evidence.a11y.clone();
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

/// Sends a result to the listeners, every text the target could fill masked with the secrets
/// known now; they get the whole of it, the caller keeps it without its evidence (the listeners
/// hold what they need of it), so memory does not grow with exchanges. A set-up check's result
/// is not sent: its own part reports it.
fn report(
    events: &mpsc::UnboundedSender<Event>,
    mask: &Redactor,
    mut r: CheckResult,
    setup: bool,
) -> CheckResult {
    r.redact(&|t| mask.text(t));
    if setup {
        r.evidence = Default::default();
        return r;
    }
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

/// The dispatcher's book of the plan: who waits for whom, and what finished checks hand on.
struct Book {
    /// Plan positions of each check's prerequisites (those in the plan), in `needs` order.
    needs: Vec<Vec<usize>>,
    /// Plan positions of the checks that need each check.
    needed_by: Vec<Vec<usize>>,
    /// Prerequisites each check still waits for.
    waiting: Vec<usize>,
    /// Dependents of each check that have not started yet: its variables are kept until then.
    unserved: Vec<usize>,
    /// What each finished check hands on, while a dependent still needs it.
    done: Vec<Option<Done>>,
    /// Checks whose prerequisites have all reported, lowest plan position first.
    ready: BTreeSet<usize>,
    /// The same checks in the order they start: those that wait on the target's clock first
    /// (their wait overlaps the rest of the run), then the longest [`rank`] first, then plan
    /// order. Kept apart so that the next is found without a scan of thousands.
    queue: BTreeSet<(bool, Reverse<u32>, usize)>,
    /// Whether each check waits on the target's clock.
    waits: Vec<bool>,
    /// Each check's [`rank`].
    rank: Vec<u32>,
    /// Passive checks whose prerequisites have reported, held until every active check has.
    held: BTreeSet<usize>,
    /// Active checks that have not reported yet.
    active_left: usize,
    /// Whether each check is passive (it inspects the run's exchanges, so it runs last).
    passive: Vec<bool>,
}

impl Book {
    fn new(plan: &Plan) -> Book {
        let position: HashMap<&str, usize> = plan
            .checks
            .iter()
            .enumerate()
            .map(|(i, pc)| (pc.check.id.as_str(), i))
            .collect();
        let needs: Vec<Vec<usize>> = plan
            .checks
            .iter()
            .map(|pc| {
                pc.needs
                    .iter()
                    .filter_map(|n| position.get(n.as_str()).copied())
                    .collect()
            })
            .collect();
        let mut needed_by = vec![Vec::new(); needs.len()];
        for (i, deps) in needs.iter().enumerate() {
            for &d in deps {
                needed_by[d].push(i);
            }
        }
        let waiting: Vec<usize> = needs.iter().map(Vec::len).collect();
        let passive: Vec<bool> = plan.checks.iter().map(|pc| pc.passive).collect();
        let mut book = Book {
            ready: BTreeSet::new(),
            queue: BTreeSet::new(),
            waits: plan.checks.iter().map(|pc| pc.waits).collect(),
            rank: rank(plan, &needed_by),
            held: BTreeSet::new(),
            active_left: passive.iter().filter(|p| !**p).count(),
            passive,
            unserved: needed_by.iter().map(Vec::len).collect(),
            done: vec![None; needs.len()],
            needs,
            needed_by,
            waiting,
        };
        for i in 0..book.needs.len() {
            if book.waiting[i] == 0 {
                book.release(i);
            }
        }
        book
    }

    /// Check `i` may start: now, or, when it is passive, once every active check has reported.
    fn release(&mut self, i: usize) {
        if self.passive[i] && self.active_left > 0 {
            self.held.insert(i);
        } else {
            self.make_ready(i);
        }
    }

    /// Check `i` may start now.
    fn make_ready(&mut self, i: usize) {
        self.ready.insert(i);
        self.queue
            .insert((!self.waits[i], Reverse(self.rank[i]), i));
    }

    /// The held passive checks may start now.
    fn release_held(&mut self) {
        for i in std::mem::take(&mut self.held) {
            self.make_ready(i);
        }
    }

    /// The ready check to start next, in the [`Book::queue`]'s order.
    fn next_ready(&mut self) -> Option<usize> {
        while let Some((_, _, i)) = self.queue.pop_first() {
            if self.ready.remove(&i) {
                return Some(i);
            }
        }
        None
    }

    /// Check `i` is about to start or be skipped: the variables of its prerequisites (if all
    /// passed), or why it is skipped. Prerequisites no longer needed by anyone are let go.
    fn take_inputs(&mut self, i: usize, plan: &Plan) -> Result<Map<String, Value>, SkipReason> {
        let mut vars = Map::new();
        let mut skip = None;
        for &d in &self.needs[i] {
            match &self.done[d] {
                Some(done) if done.status == CheckStatus::Pass => {
                    vars.extend(done.vars.iter().map(|(k, v)| (k.clone(), v.clone())))
                }
                Some(done) => {
                    skip.get_or_insert(SkipReason::PrerequisiteFailed {
                        check: plan.checks[d].check.id.value.clone(),
                        status: done.status,
                    });
                }
                None => {
                    skip.get_or_insert(SkipReason::PrerequisiteUnfinished {
                        check: plan.checks[d].check.id.value.clone(),
                    });
                }
            }
            self.unserved[d] -= 1;
            if self.unserved[d] == 0 {
                self.done[d] = None;
            }
        }
        match skip.or_else(|| plan.checks[i].skip.clone()) {
            Some(why) => Err(why),
            None => Ok(vars),
        }
    }

    /// Check `i` reported: keep what it hands on and release the checks that waited for it.
    fn finished(&mut self, i: usize, done: Done) {
        if self.unserved[i] > 0 {
            self.done[i] = Some(done);
        }
        for k in self.needed_by[i].clone() {
            self.waiting[k] -= 1;
            if self.waiting[k] == 0 {
                self.release(k);
            }
        }
        if !self.passive[i] {
            self.active_left -= 1;
            if self.active_left == 0 {
                self.release_held();
            }
        }
    }
}

/// How long the chain a check starts is, in estimated round trips: its own steps (a call one,
/// a probe what its registration says) and the longest chain of the checks that need it. Starting the longest chains first keeps a long check from waiting behind short ones
/// for a slot, so the run ends near its critical path. Only the order depends on it.
fn rank(plan: &Plan, needed_by: &[Vec<usize>]) -> Vec<u32> {
    let own = |pc: &PlannedCheck| -> u32 {
        pc.check
            .steps
            .iter()
            .map(|s| match &s.kind {
                StepKind::Call { .. } => 1,
                StepKind::Probe { name, .. } => Registry.spec(name).map_or(1, |p| p.round_trips),
            })
            .sum()
    };
    let mut rank = vec![0u32; plan.checks.len()];
    // The plan puts prerequisites first: walking it backwards, every dependent is ranked first.
    for i in (0..plan.checks.len()).rev() {
        let after = needed_by[i].iter().map(|&d| rank[d]).max().unwrap_or(0);
        rank[i] = own(&plan.checks[i]).saturating_add(after);
    }
    rank
}

/// Runs every planned check, at most `concurrency` at once; each result is sent on `events` as it
/// finishes and returned in plan order.
pub async fn run(
    rc: Arc<RunCtx>,
    plan: Plan,
    concurrency: usize,
    events: mpsc::UnboundedSender<Event>,
) -> Vec<CheckResult> {
    let concurrency = concurrency.max(1);
    let plan = &plan;
    let mask = &rc.http.redactor.clone();
    let mut book = Book::new(plan);
    let mut results: Vec<Option<CheckResult>> = plan.checks.iter().map(|_| None).collect();
    let mut running: JoinSet<(CheckResult, Done)> = JoinSet::new();
    let mut running_ids: HashMap<tokio::task::Id, usize> = HashMap::new();
    loop {
        // Stopped: start nothing more; what runs is dropped below.
        while running.len() < concurrency && rc.interrupt.cause().is_none() {
            let Some(i) = book.next_ready() else {
                break;
            };
            let pc = &plan.checks[i];
            match book.take_inputs(i, plan) {
                Err(why) => {
                    let (r, done) = skipped(pc, why);
                    results[i] = Some(report(&events, mask, r, pc.setup));
                    book.finished(i, done);
                }
                Ok(vars) => {
                    if !pc.setup {
                        let _ = events.send(Event::CheckStarted {
                            id: pc.check.id.value.clone(),
                        });
                    }
                    let handle = running.spawn(execute(Arc::clone(&rc), pc.clone(), vars));
                    running_ids.insert(handle.id(), i);
                }
            }
        }
        if running.is_empty() && book.ready.is_empty() && !book.held.is_empty() {
            // Only passive checks are left, an active one waiting for one of them: run them on
            // what was recorded, rather than leave them all unfinished.
            book.release_held();
            continue;
        }
        let Some(Some(joined)) = rc.interrupt.unless(running.join_next_with_id()).await else {
            break;
        };
        let (i, (r, done)) = match joined {
            Ok((id, out)) => (running_ids.remove(&id), out),
            Err(e) => {
                let i = running_ids.remove(&e.id());
                let why = CheckError::new(ErrorKind::Internal, format!("internal error: {e}"));
                match i {
                    Some(i) => (Some(i), errored(&plan.checks[i], Duration::ZERO, why)),
                    None => continue,
                }
            }
        };
        if let Some(i) = i {
            results[i] = Some(report(&events, mask, r, plan.checks[i].setup));
            book.finished(i, done);
        }
    }
    let started: HashSet<usize> = running_ids.into_values().collect();
    running.shutdown().await;
    // Every check has reported unless the run was stopped or the plan's `needs` were broken;
    // none goes missing.
    results
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            r.unwrap_or_else(|| {
                if let Some(cause) = rc.interrupt.cause() {
                    let when = if started.contains(&i) {
                        "finished"
                    } else {
                        "started"
                    };
                    let why = CheckError::new(
                        ErrorKind::Interrupted,
                        format!(
                            "interrupted: the run was stopped by {cause} before this check {when}"
                        ),
                    );
                    let (r, _) = errored(&plan.checks[i], Duration::ZERO, why);
                    return report(&events, mask, r, plan.checks[i].setup);
                }
                let waited = book.needs[i]
                    .iter()
                    .find(|&&d| book.done[d].is_none())
                    .map_or_else(String::new, |&d| plan.checks[d].check.id.value.clone());
                let why = SkipReason::PrerequisiteUnfinished { check: waited };
                report(
                    &events,
                    mask,
                    skipped(&plan.checks[i], why).0,
                    plan.checks[i].setup,
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::plan::{self, Filters};
    use crate::model::inputs::{self, InputPaths};
    use crate::probes::registry::Registry;

    fn shipped_plan() -> Plan {
        let inputs = inputs::load(&InputPaths::default(), &Registry).expect("shipped inputs load");
        plan::build(
            &inputs.catalogue,
            &inputs.checks,
            &Filters::default(),
            &Default::default(),
        )
    }

    fn at(plan: &Plan, id: &str) -> usize {
        plan.ids().iter().position(|c| *c == id).expect("planned")
    }

    fn done(status: CheckStatus, var: &str) -> Done {
        let mut vars = Map::new();
        vars.insert(var.to_string(), Value::from(var));
        Done { status, vars }
    }

    #[test]
    fn a_passive_check_is_held_until_every_active_check_has_reported() {
        let mut plan = shipped_plan();
        let passive = at(&plan, "sec.transport.hsts");
        plan.checks[passive].passive = true;
        let mut book = Book::new(&plan);
        assert!(!book.ready.contains(&passive) && book.held.contains(&passive));
        let active: Vec<usize> = (0..plan.checks.len())
            .filter(|&i| !plan.checks[i].passive)
            .collect();
        // Finish the active checks in dependency order, as the dispatcher would.
        let mut left = active.clone();
        while !left.is_empty() {
            let i = *left
                .iter()
                .find(|&&i| book.ready.contains(&i))
                .expect("an active check is ready");
            book.ready.remove(&i);
            left.retain(|&k| k != i);
            assert!(
                !book.ready.contains(&passive),
                "held while {} remain",
                left.len() + 1
            );
            let _ = book.take_inputs(i, &plan);
            book.finished(i, done(CheckStatus::Pass, "x"));
        }
        assert!(
            book.ready.contains(&passive),
            "released once the last active check reported"
        );
        assert!(
            book.held.iter().all(|&i| plan.checks[i].passive) || book.held.is_empty(),
            "only passive checks were held"
        );
        assert!(book.held.is_empty(), "every held check was released");
    }

    #[test]
    fn a_check_that_waits_on_the_target_starts_before_earlier_ready_ones() {
        let mut plan = shipped_plan();
        let first = at(&plan, "sec.transport.http-redirects");
        let waiting = at(&plan, "sec.disclosure.security-txt");
        assert!(first < waiting, "plan order puts the other first");
        plan.checks[waiting].waits = true;
        let mut book = Book::new(&plan);
        assert!(book.ready.contains(&first) && book.ready.contains(&waiting));
        let mut order = Vec::new();
        while let Some(i) = book.next_ready() {
            order.push(i);
        }
        let position = |i| order.iter().position(|&k| k == i);
        assert!(position(waiting) < position(first), "{order:?}");
        assert!(
            order[..position(waiting).unwrap_or(0)]
                .iter()
                .all(|&i| plan.checks[i].waits),
            "only checks that wait come before it: {order:?}"
        );
        assert_eq!(
            order.iter().filter(|&&i| i == waiting).count(),
            1,
            "started once"
        );
    }

    #[test]
    fn the_longest_chains_start_first_whatever_their_plan_position() {
        let plan = shipped_plan();
        let mut book = Book::new(&plan);
        let long = at(&plan, "fun.text-round-trip");
        let short = at(&plan, "acc.pages");
        assert!(short < long, "plan order puts the short one first");
        assert!(book.rank[long] > book.rank[short]);
        let mut order = Vec::new();
        while let Some(i) = book.next_ready() {
            order.push(i);
        }
        let position = |i| order.iter().position(|&k| k == i);
        assert!(position(long) < position(short), "{order:?}");
        let ranks: Vec<u32> = order
            .iter()
            .filter(|&&i| !plan.checks[i].waits)
            .map(|&i| book.rank[i])
            .collect();
        assert!(ranks.windows(2).all(|w| w[0] >= w[1]), "{ranks:?}");
        // A prerequisite ranks above every check that needs it.
        for (i, users) in book.needed_by.iter().enumerate() {
            assert!(
                users
                    .iter()
                    .all(|&d| book.rank[i] > book.rank[d] || book.rank[d] == 0)
            );
        }
    }

    #[test]
    fn dependents_wait_for_their_prerequisites_and_take_their_variables() {
        let plan = shipped_plan();
        let mut book = Book::new(&plan);
        let root = at(&plan, "fun.patient-starts-conversation");
        let replies = at(&plan, "fun.replies-both-ways");
        assert!(book.ready.contains(&root));
        assert!(!book.ready.contains(&replies), "waits for its prerequisite");
        assert_eq!(book.take_inputs(root, &plan), Ok(Map::new()));
        book.finished(root, done(CheckStatus::Pass, "conversation_id"));
        assert!(book.ready.contains(&replies));
        let vars = book.take_inputs(replies, &plan).expect("runs");
        assert_eq!(
            vars.get("conversation_id"),
            Some(&Value::from("conversation_id"))
        );
    }

    #[test]
    fn a_prerequisite_that_did_not_pass_skips_its_dependents_and_is_let_go() {
        let plan = shipped_plan();
        let mut book = Book::new(&plan);
        let root = at(&plan, "fun.patient-starts-conversation");
        let users = book.needed_by[root].clone();
        assert!(
            users.len() > 1,
            "the shipped suite hangs many checks off FUN-01"
        );
        book.take_inputs(root, &plan).expect("runs");
        book.finished(root, done(CheckStatus::Error, "conversation_id"));
        for &k in &users {
            assert_eq!(
                book.take_inputs(k, &plan),
                Err(SkipReason::PrerequisiteFailed {
                    check: "fun.patient-starts-conversation".into(),
                    status: CheckStatus::Error,
                })
            );
        }
        assert!(
            book.done[root].is_none(),
            "kept only while a dependent needs it"
        );
    }
}
