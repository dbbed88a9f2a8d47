//! The engine: builds the plan, logs the actors in once, runs the checks concurrently in
//! dependency order, and rolls the results up into requirement verdicts.

mod digest;
pub mod interrupt;
mod judge;
pub mod operation;
mod paginate;
pub mod plan;
pub mod scheduler;
pub mod sessions;
pub mod step;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};
use tokio::sync::mpsc;

use crate::http::{HttpClient, HttpOptions};
use crate::model::inputs::Inputs;
use crate::model::resolve::ResolvedTarget;
use crate::model::suite::StepKind;
use crate::outcome::{Event, RunReport, SCHEMA_VERSION, Summary, VerdictCounts};
pub use interrupt::Interrupt;
use plan::{Filters, Plan};
use sessions::SharedSessions;

/// Status codes that mean "the service was unavailable", not "the service answered wrongly".
const UNAVAILABLE: [u16; 3] = [502, 503, 504];

/// Everything checks share during a run.
#[derive(Debug)]
pub struct RunCtx {
    pub http: HttpClient,
    pub target: ResolvedTarget,
    /// One session per actor, shared, renewed before it would expire.
    pub sessions: SharedSessions,
    /// Variables every template sees: run_id, actors, declared, target, pages.
    pub globals: Map<String, Value>,
    /// Every exchange recorded so far, for the passive checks.
    pub recorded: crate::outcome::Recorded,
    /// The longest a probe may wait on the target's clock (`--max-wait`).
    pub max_wait: Duration,
    /// What checks' probes leave for the checks that need them.
    pub store: crate::probes::store::RunStore,
    /// Render pages in a real browser for the accessibility audit (`--browser`).
    pub browser: bool,
    /// Stops the run early (SIGINT, SIGTERM).
    pub interrupt: Interrupt,
}

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub filters: Filters,
    pub concurrency: usize,
    pub http: HttpOptions,
    pub strict: bool,
    /// The longest a check may wait on the target's clock, e.g. for its idle timeout
    /// (`--max-wait`); a longer wait leaves the check to a reviewer.
    pub max_wait: Duration,
    /// Render pages in a real browser for the accessibility audit (`--browser`).
    pub browser: bool,
    /// Stops the run early: unfinished checks end `error: interrupted`, the reports are still
    /// written and the exit code is 2.
    pub interrupt: Interrupt,
}

/// The default `--max-wait`.
pub const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(120);

/// The engine could not start.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("TLS set-up: {0}")]
    Tls(#[from] crate::http::tls::TlsError),
    /// The dispatcher itself failed (a defect of vvcheck).
    #[error("the scheduler stopped: {0}")]
    Dispatcher(String),
}

/// Actors the plan's steps (and the profile operations they call) use.
fn actors_used(plan: &Plan, target: &ResolvedTarget) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    for pc in &plan.checks {
        for step in &pc.check.steps {
            if let Some(a) = &step.actor {
                used.insert(a.value.clone());
            }
            if let StepKind::Probe { params, .. } = &step.kind {
                let page_actors = params
                    .pages()
                    .into_iter()
                    .chain(params.optional_pages())
                    .filter_map(|p| target.pages.get(p.as_str()))
                    .filter_map(|p| p.actor.clone());
                used.extend(page_actors);
                if params.every_page() {
                    used.extend(target.pages.values().filter_map(|p| p.actor.clone()));
                }
                used.extend(params.actors().into_iter().map(|a| a.value.clone()));
                let fixed = params
                    .optional_operations()
                    .into_iter()
                    .filter_map(|op| target.operations.get(op.as_str()))
                    .filter_map(|o| o.actor.as_ref().map(|a| a.value.clone()));
                used.extend(fixed);
            }
            for op in step.operations() {
                if let Some(fixed) = target
                    .operations
                    .get(op.as_str())
                    .and_then(|o| o.actor.as_ref())
                {
                    used.insert(fixed.value.clone());
                }
            }
            if let StepKind::Call { operation, inputs } = &step.kind {
                let actor_inputs = crate::model::contract::operation(operation)
                    .map_or(&[][..], |op| op.actor_inputs);
                for (k, v) in inputs {
                    if let (true, Some(name)) = (actor_inputs.contains(&k.as_str()), v.as_str()) {
                        used.insert(name.to_string());
                    }
                }
            }
        }
    }
    used.retain(|a| target.actors.contains_key(a));
    used
}

fn run_id() -> String {
    use rand::Rng;
    format!("vv{:08x}", rand::rng().random::<u32>())
}

/// The variables every template sees. What `actors.<name>` holds here is what
/// `model::validate::ActorAttributes` checks templates against at load: keep the two in step.
fn globals(target: &ResolvedTarget, sessions: &SharedSessions) -> Map<String, Value> {
    let mut actors = Map::new();
    for (name, actor) in &target.actors {
        let mut attrs: Map<String, Value> = actor
            .vars
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        if let Some(Ok(s)) = sessions.first(name) {
            attrs.extend(s.attrs.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        attrs.insert("name".into(), Value::String(name.clone()));
        attrs.insert("canaries".into(), actor.canaries.as_json());
        actors.insert(name.clone(), Value::Object(attrs));
    }
    let mut g = Map::new();
    g.insert("run_id".into(), Value::String(run_id()));
    g.insert("actors".into(), Value::Object(actors));
    g.insert(
        "declared".into(),
        serde_json::to_value(&target.declared).unwrap_or(Value::Null),
    );
    g.insert(
        "target".into(),
        json!({"name": target.name, "base_url": target.base_url.as_str()}),
    );
    let pages: Map<String, Value> = target
        .pages
        .iter()
        .map(|(name, p)| (name.clone(), Value::String(p.path.clone())))
        .collect();
    g.insert("pages".into(), Value::Object(pages));
    g
}

/// Why a run with these filters does not stand for the whole catalogue, when it does not.
fn partial(f: &Filters) -> Option<String> {
    if let Some((k, n)) = f.partition {
        return Some(format!(
            "part {k} of {n} of a partitioned run; merge the parts (`vvcheck merge`) for the whole run's standing"
        ));
    }
    filtered(f).map(|only| crate::verdict::filtered(&only))
}

/// The filters as written on the command line (`--domain security --tag tls`), when any.
fn filtered(f: &Filters) -> Option<String> {
    let mut only = Vec::new();
    if !f.domains.is_empty() {
        let d: Vec<&str> = f.domains.iter().map(|d| d.as_str()).collect();
        only.push(format!("--domain {}", d.join(",")));
    }
    if !f.requirements.is_empty() {
        only.push(format!("--requirement {}", f.requirements.join(",")));
    }
    if !f.tags.is_empty() {
        only.push(format!("--tag {}", f.tags.join(",")));
    }
    if !f.levels.is_empty() {
        let l: Vec<&str> = f.levels.iter().map(|l| l.as_str()).collect();
        only.push(format!("--level {}", l.join(",")));
    }
    (!only.is_empty()).then(|| only.join(" "))
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// A finished run: the report, and every secret value known at the end (configured secrets and
/// tokens learned at login), so writers can prove none leaked.
#[derive(Debug)]
pub struct RunOutcome {
    pub report: Arc<RunReport>,
    /// The file the run's large bodies were spilled to; kept as long as the outcome, so that
    /// listeners still reading the run's events can read them back.
    pub spill: Option<Arc<crate::http::spill::Spill>>,
    pub secrets: Vec<String>,
    /// Every input file the run read, as read (for the evidence bundle).
    pub sources: Vec<crate::model::inputs::InputSource>,
}

/// Runs the plan against the target; progress is sent on `events`.
pub async fn run(
    inputs: &Inputs,
    target: ResolvedTarget,
    opts: &RunOptions,
    events: mpsc::UnboundedSender<Event>,
) -> Result<RunOutcome, EngineError> {
    let started_at = now_rfc3339();
    let start = Instant::now();
    let mut plan = plan::build(
        &inputs.catalogue,
        &inputs.checks,
        &opts.filters,
        &target.not_applicable,
    );
    plan::skip_unmapped(&mut plan, |op| target.operations.contains_key(op));
    let _ = events.send(Event::RunStarted {
        total: plan.checks.iter().filter(|c| !c.setup).count(),
    });
    let setup: BTreeSet<String> = plan
        .checks
        .iter()
        .filter(|c| c.setup)
        .map(|c| c.check.id.value.clone())
        .collect();
    // Each part reports the passive checks over its own exchanges; merge joins them.
    let passive_checks: Vec<String> = match opts.filters.partition {
        Some(_) => plan
            .checks
            .iter()
            .filter(|c| c.passive)
            .map(|c| c.check.id.value.clone())
            .collect(),
        None => Vec::new(),
    };
    let http = HttpClient::new(&target, &opts.http)?;
    // Stopped while signing in: no session, and the scheduler reports every check interrupted.
    let sessions = opts
        .interrupt
        .unless(SharedSessions::login_all(
            &http,
            &target,
            &actors_used(&plan, &target),
        ))
        .await
        .unwrap_or_default();
    for (actor, login) in sessions.first_logins() {
        let (exchanges, error) = match login {
            Ok(s) => (s.login_exchanges.clone(), None),
            Err(e) => (e.exchanges.clone(), Some(e.message.clone())),
        };
        let _ = events.send(Event::SignedIn {
            actor: actor.to_string(),
            exchanges,
            error,
        });
    }
    let globals = globals(&target, &sessions);
    let recorded = crate::outcome::Recorded::default();
    for (_, login) in sessions.first_logins() {
        match login {
            Ok(s) => recorded.add("", &s.login_exchanges),
            Err(e) => recorded.add("", &e.exchanges),
        }
    }
    let rc = Arc::new(RunCtx {
        http,
        target,
        sessions,
        globals,
        recorded,
        max_wait: opts.max_wait,
        store: Default::default(),
        browser: opts.browser,
        interrupt: opts.interrupt.clone(),
    });
    // The dispatcher runs on a worker thread, beside the checks it starts, so that a finished
    // check hands its slot on without waking the caller's thread.
    let dispatcher = tokio::spawn(scheduler::run(
        Arc::clone(&rc),
        plan,
        opts.concurrency,
        events.clone(),
    ));
    let mut results = dispatcher
        .await
        .map_err(|e| EngineError::Dispatcher(e.to_string()))?;
    results.retain(|r| !setup.contains(&r.id));
    // A secret learned after a check finished (a later login's token) may sit in its result
    // unmasked: mask again with everything the run knows.
    for r in &mut results {
        r.mask_late_secrets(&|t| rc.http.redactor.text(t));
    }
    let f = &opts.filters;
    let checked: BTreeSet<&str> = inputs
        .checks
        .iter()
        .flat_map(|c| c.requirements.iter().map(|r| r.as_str()))
        .collect();
    let in_scope = |r: &crate::model::standard::Requirement| {
        (f.domains.is_empty() || f.domains.contains(&r.domain))
            && (f.requirements.is_empty()
                || f.requirements
                    .iter()
                    .any(|w| w.eq_ignore_ascii_case(r.id.as_str())))
            && (f.levels.is_empty() || f.levels.contains(&r.level))
            && f.tags.is_empty()
            && match f.partition {
                // Requirements without any check are reported once, by the first part.
                Some((k, _)) => k == 1 && !checked.contains(r.id.as_str()),
                None => true,
            }
    };
    let mut entries = crate::verdict::records(
        &inputs.attestations,
        &inputs.catalogue,
        crate::verdict::RunScope {
            target: &rc.target.name,
            environment: rc.target.environment.as_deref(),
            today: time::OffsetDateTime::now_utc().date(),
        },
    );
    let rollup_inputs = crate::verdict::RollupInputs {
        catalogue: &inputs.catalogue,
        not_applicable: &rc.target.not_applicable,
        in_scope: &in_scope,
    };
    let requirements = crate::verdict::rollup(&results, &rollup_inputs, &mut entries);
    let interrupted = opts.interrupt.cause().map(str::to_string);
    let unfinished = results
        .iter()
        .filter(|r| {
            r.error
                .as_ref()
                .is_some_and(|e| e.kind == crate::outcome::ErrorKind::Interrupted)
        })
        .count();
    let stopped = interrupted
        .as_ref()
        .map(|cause| format!("the run was stopped by {cause}: {unfinished} checks did not finish"));
    let overall = crate::verdict::overall(&requirements, stopped.or_else(|| partial(f)));
    let exit_code = crate::verdict::exit::of_run(&requirements, opts.strict, interrupted.is_some());
    let report = RunReport {
        schema_version: SCHEMA_VERSION,
        tool: "vvcheck".to_string(),
        verdicts: VerdictCounts::of(&requirements),
        edition: inputs.catalogue.edition.clone(),
        target: rc.target.name.clone(),
        base_url: rc.target.base_url.to_string(),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        started_at,
        duration: start.elapsed(),
        insecure: opts.http.insecure,
        proxy: rc
            .target
            .proxy
            .for_url(&rc.target.base_url)
            .map(|_| crate::http::proxy::describe(&rc.target.proxy, &rc.target.base_url)),
        partition: f.partition.map(|(k, n)| format!("{k}/{n}")),
        filters: filtered(f),
        interrupted,
        suites_digest: digest::suites_digest(&inputs.checks),
        passive_checks,
        summary: Summary::of(&results),
        checks: results,
        requirements,
        exit_code,
        overall,
        attestations: entries,
    };
    let report = Arc::new(report);
    let _ = events.send(Event::RunFinished(Arc::clone(&report)));
    Ok(RunOutcome {
        report,
        spill: rc.http.spill.clone(),
        secrets: rc.http.redactor.values(),
        sources: inputs.sources.clone(),
    })
}
