//! Latency (TEC-02): message operations under light concurrent use. A few virtual users, each
//! signed in on its own and writing in a conversation of its own, run a mix of operations
//! (send, list, get) one after another, all users at once; each operation's p50, p95 and max
//! are reported, its p95 judged against the threshold, and its distribution kept in the
//! evidence as a histogram (results.json `checks[].latency`).
//!
//! Samples that failed (a transport error, even one that was retried, or an answer that is not
//! a success) are left out of the figures and named in the notes; when more than a quarter
//! fail, the probe ends in an error, never a pass. A conformance check of the target, not a
//! benchmark of vvcheck: the requests go through the run's rate limit like any other.
//!
//! A loaded machine slows vvcheck's reading of the answers, not only the target: a
//! [`LagMonitor`] records how long vvcheck itself was stalled during each sample. An operation
//! fails only when its p95 is over the threshold even with those stalls taken out; one over
//! the threshold only because of them is measured again (once), and then ends `error`
//! (`overloaded`) rather than blame the target for the client's machine.

mod figures;

use std::any::Any;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::lag::LagMonitor;
use super::{CallSample, Probe, ProbeEnv, ProbeResult};
use crate::http::session::Session;
use crate::model::Located;
use crate::model::contract;
use crate::model::probe::ProbeParams;
use crate::outcome::{CheckError, ErrorKind, Exchange, reason};

pub use figures::{BUCKETS_MS, Judgement, Timings, judge, judge_stalled, percentile};

/// What the probe hands each operation of the mix: a user's conversation, its latest message
/// and a text to send. An operation needing any other input cannot be timed by it.
const MIX_INPUTS: &[&str] = &["conversation_id", "message_id", "body"];

/// The most users and requests a run may ask for: light use, never a load test.
const MAX_USERS: usize = 16;
const MAX_REQUESTS: usize = 200;

/// Measurements at most: a second one only when vvcheck's own stalls decided the first.
const ROUNDS: usize = 2;

/// The pause before measuring again, for a passing burst of load to end.
const BETWEEN_ROUNDS: Duration = Duration::from_secs(1);

/// Parameters of `latency`, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParams {
    #[serde(default)]
    actors: Vec<Located<String>>,
    to: Located<String>,
    #[serde(default)]
    users: Option<usize>,
    #[serde(default)]
    requests: Option<usize>,
    #[serde(default)]
    operations: Option<Vec<Located<String>>>,
    #[serde(default)]
    p95_ms: Option<u64>,
}

/// Parameters of `latency`.
#[derive(Debug, Deserialize)]
#[serde(try_from = "RawParams")]
pub struct LatencyParams {
    /// Who the virtual users sign in as, taken in turn (default: the step's actor).
    pub actors: Vec<Located<String>>,
    /// Whom each user's conversation is with (an actor).
    pub to: Located<String>,
    /// How many users at once (1–16, default 5).
    pub users: usize,
    /// How many timed requests each user makes (1–200, default 20).
    pub requests: usize,
    /// The mix, taken in turn by each user (default `send_message`, `list_messages`,
    /// `get_message`).
    pub operations: Vec<Located<String>>,
    /// The p95 threshold in milliseconds (default: the profile's `declared.latency_p95_ms`).
    pub p95_ms: Option<u64>,
    /// `start_conversation`, which opens each user's conversation (untimed).
    start: Located<String>,
}

impl TryFrom<RawParams> for LatencyParams {
    type Error = String;

    fn try_from(r: RawParams) -> Result<Self, String> {
        let users = r.users.unwrap_or(5);
        if !(1..=MAX_USERS).contains(&users) {
            return Err(format!("`users` must be 1–{MAX_USERS}, not {users}"));
        }
        let requests = r.requests.unwrap_or(20);
        if !(1..=MAX_REQUESTS).contains(&requests) {
            return Err(format!(
                "`requests` must be 1–{MAX_REQUESTS}, not {requests}"
            ));
        }
        // Operations the probe names itself point at `to:`, which brings them in.
        let at_to = |op: &str| Located {
            value: op.to_string(),
            loc: r.to.loc,
        };
        let operations = r.operations.unwrap_or_else(|| {
            ["send_message", "list_messages", "get_message"]
                .map(at_to)
                .to_vec()
        });
        if operations.is_empty() {
            return Err("`operations` needs at least one operation".to_string());
        }
        for op in &operations {
            // An unknown name is the validator's (with a suggestion); here only what the mix
            // cannot feed.
            if let Some(c) = contract::operation(op.as_str())
                && let Some(missing) = c.required.iter().find(|i| !MIX_INPUTS.contains(i))
            {
                return Err(format!(
                    "`{}` needs `{missing}`, which the latency mix does not provide (it gives {})",
                    op.as_str(),
                    MIX_INPUTS.join(", ")
                ));
            }
        }
        let start = at_to("start_conversation");
        Ok(LatencyParams {
            actors: r.actors,
            to: r.to,
            users,
            requests,
            operations,
            p95_ms: r.p95_ms,
            start,
        })
    }
}

impl ProbeParams for LatencyParams {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn operations(&self) -> Vec<&Located<String>> {
        std::iter::once(&self.start)
            .chain(&self.operations)
            .collect()
    }
    /// The recipient's shared session gives the attributes (its id) the conversations are
    /// addressed by; the users sign in on their own.
    fn actors(&self) -> Vec<&Located<String>> {
        vec![&self.to]
    }
    fn named_actors(&self) -> Vec<&Located<String>> {
        self.actors
            .iter()
            .chain(std::iter::once(&self.to))
            .collect()
    }
}

/// `latency`: p50/p95/max of message operations under light concurrent use.
pub struct Latency;

impl Probe for Latency {
    const NAME: &'static str = "latency";
    const ABOUT: &'static str =
        "p50/p95/max of message operations, a few users at once, each in its own conversation";
    const PARAMS: &'static [&'static str] =
        &["actors", "to", "users", "requests", "operations", "p95_ms"];
    type Params = LatencyParams;
    fn run<'a, 'b>(p: &'a LatencyParams, env: &'a mut ProbeEnv<'b>) -> BoxFuture<'a, ProbeResult> {
        Box::pin(latency(p, env))
    }
}

/// One timed operation's record while the users run.
#[derive(Debug, Default)]
struct OpRecord {
    timings: Timings,
    failures: Failures,
    /// Samples the plan gives it, for deciding when its p95 is settled.
    planned: usize,
}

/// What the users share while they run.
struct Board {
    ops: IndexMap<String, OpRecord>,
    /// The operation whose p95 is settled over the threshold, once one is: every user stops.
    settled: Option<String>,
    setup_failures: Failures,
}

async fn latency(p: &LatencyParams, env: &mut ProbeEnv<'_>) -> ProbeResult {
    let threshold = Duration::from_millis(p.p95_ms.unwrap_or(env.target.declared.latency_p95_ms));
    let actors: Vec<String> = if p.actors.is_empty() {
        match &env.actor {
            Some((actor, _)) => vec![actor.clone()],
            None => {
                return Err(CheckError::new(
                    ErrorKind::Input,
                    "`latency` needs `actors:` or an actor (`as:`) to sign its users in as",
                ));
            }
        }
    } else {
        p.actors.iter().map(|a| a.value.clone()).collect()
    };
    let run_id = env
        .vars
        .get("run_id")
        .and_then(Value::as_str)
        .unwrap_or("vvcheck")
        .to_string();
    let mut round = 1;
    loop {
        let board = measure(p, env, &actors, &run_id, threshold).await;
        let before = env.notes.len();
        match report(p, env, &actors, threshold, board, round) {
            Err(e) if e.kind == ErrorKind::Overloaded && round < ROUNDS => {
                for n in &mut env.notes[before..] {
                    *n = format!("round {round}: {n}");
                }
                env.notes.push(format!(
                    "round {round}: {}; measured again after {} s",
                    e.message,
                    BETWEEN_ROUNDS.as_secs()
                ));
                round += 1;
                tokio::time::sleep(BETWEEN_ROUNDS).await;
            }
            result => return result,
        }
    }
}

/// One measurement: every user at once, until each is done or the verdict is settled.
async fn measure(
    p: &LatencyParams,
    env: &mut ProbeEnv<'_>,
    actors: &[String],
    run_id: &str,
    threshold: Duration,
) -> Board {
    let mut ops = IndexMap::new();
    for (i, op) in p.operations.iter().enumerate() {
        let per_user = (0..p.requests)
            .filter(|r| r % p.operations.len() == i)
            .count();
        let rec: &mut OpRecord = ops.entry(op.value.clone()).or_default();
        rec.planned += per_user * p.users;
    }
    let board = Mutex::new(Board {
        ops,
        settled: None,
        setup_failures: Failures::default(),
    });
    let lag = LagMonitor::start();
    let shared: &ProbeEnv = env;
    let users = (0..p.users).map(|u| {
        let user = User {
            number: u + 1,
            actor: &actors[u % actors.len()],
            run_id,
        };
        user.run(p, shared, threshold, &board, &lag)
    });
    let logs = futures_util::future::join_all(users).await;
    for exchanges in logs {
        env.evidence.exchanges.extend(exchanges);
    }
    board.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// The figures, notes and evidence of a finished run, and its verdict.
fn report(
    p: &LatencyParams,
    env: &mut ProbeEnv<'_>,
    actors: &[String],
    threshold: Duration,
    board: Board,
    round: usize,
) -> ProbeResult {
    let users = format!(
        "{} users at once, signed in as {} in turn, {} requests each",
        p.users,
        actors.join(", "),
        p.requests
    );
    if board.setup_failures.count > 0 {
        env.notes.push(format!(
            "{} of {} users could not sign in or open their conversation and made no request: {}",
            board.setup_failures.count,
            p.users,
            board.setup_failures.describe()
        ));
    }
    if board.setup_failures.count == p.users {
        return Err(CheckError::new(
            ErrorKind::Unavailable,
            format!(
                "latency: no user could start ({})",
                board.setup_failures.describe()
            ),
        ));
    }
    let taken: usize = board
        .ops
        .values()
        .map(|r| r.timings.samples.len() + r.failures.count)
        .sum();
    let failed: usize = board.ops.values().map(|r| r.failures.count).sum();
    for (op, rec) in &board.ops {
        if rec.failures.count > 0 {
            env.notes.push(format!(
                "{op}: {} of {} samples failed and are left out of the latency figures: {}",
                rec.failures.count,
                rec.failures.count + rec.timings.samples.len(),
                rec.failures.describe()
            ));
        }
    }
    env.evidence.latency.push(json!({
        "round": round,
        "threshold_ms": threshold.as_millis() as u64,
        "users": p.users,
        "actors": actors,
        "requests_per_user": p.requests,
        "stopped_early_by": board.settled,
        "buckets_ms": BUCKETS_MS,
        "operations": board
            .ops
            .iter()
            .map(|(op, r)| r.timings.evidence(op, r.failures.count))
            .collect::<Vec<_>>(),
    }));
    // A percentile of the answers that came back says nothing when many did not.
    if failed * 4 > taken {
        let why = board
            .ops
            .iter()
            .filter(|(_, r)| r.failures.count > 0)
            .map(|(op, r)| format!("{op}: {}", r.failures.describe()))
            .collect::<Vec<_>>()
            .join("; ");
        return Err(CheckError::new(
            ErrorKind::Unavailable,
            format!("latency: {failed} of {taken} samples failed ({why}), more than a quarter"),
        ));
    }
    env.notes.push(format!(
        "{users}; threshold p95 ≤ {} ms",
        threshold.as_millis()
    ));
    if let Some(op) = &board.settled {
        let planned: usize = board.ops.values().map(|r| r.planned).sum();
        env.notes.push(format!(
            "stopped after {taken} of {planned} requests: enough {op} answers were over {} ms that no further answer could bring its p95 under",
            threshold.as_millis()
        ));
    }
    let mut findings = Vec::new();
    let mut undecided = Vec::new();
    for (op, rec) in &board.ops {
        if rec.timings.samples.is_empty() {
            env.notes.push(format!("{op}: no answer timed"));
            continue;
        }
        // Always said, so a reviewer sees that the client was watched, stalled or not.
        let stalls = format!(
            " (vvcheck itself stalled up to {} ms during a sample; p95 without its stalls {} ms)",
            rec.timings.worst_stall().as_millis(),
            rec.timings.unstalled().p95().map_or(0, |d| d.as_millis())
        );
        env.notes
            .push(format!("{op}: {}{stalls}", rec.timings.describe()));
        match judge_stalled(op, &rec.timings, threshold) {
            Judgement::Within => {}
            Judgement::Over(finding) => findings.push(finding),
            Judgement::Undecided => {
                undecided.push(format!("{op} {}{stalls}", rec.timings.describe()));
            }
        }
    }
    // A target slow even without vvcheck's stalls fails, whatever else could not be told.
    if findings.is_empty() && !undecided.is_empty() {
        return Err(CheckError::new(
            ErrorKind::Overloaded,
            format!(
                "latency: over the {} ms threshold only by vvcheck's own delay, so the target's latency cannot be told on this machine (run on a less loaded one): {}",
                threshold.as_millis(),
                undecided.join("; ")
            ),
        ));
    }
    Ok(findings)
}

/// One virtual user: its own session and its own conversation.
struct User<'a> {
    number: usize,
    actor: &'a str,
    run_id: &'a str,
}

impl User<'_> {
    /// Signs in, opens a conversation, then runs its share of the mix, stopping as soon as the
    /// verdict is settled. Returns the exchanges it made.
    async fn run(
        self,
        p: &LatencyParams,
        env: &ProbeEnv<'_>,
        threshold: Duration,
        board: &Mutex<Board>,
        lag: &LagMonitor,
    ) -> Vec<Exchange> {
        let mut exchanges = Vec::new();
        let session = match env.login(self.actor, &mut exchanges).await {
            Ok(s) => s,
            Err(e) => {
                lock(board)
                    .setup_failures
                    .add(format!("signing in: {}", e.message));
                return exchanges;
            }
        };
        let Some(mut vars) = self.open(p, env, &session, &mut exchanges, board).await else {
            return exchanges;
        };
        for i in 0..p.requests {
            if lock(board).settled.is_some() {
                break;
            }
            let op = p.operations[i % p.operations.len()].as_str();
            vars.insert(
                "body".to_string(),
                Value::String(format!(
                    "vvcheck {}: light use, user {}, message {} of {}",
                    self.run_id,
                    self.number,
                    i + 1,
                    p.requests
                )),
            );
            let inputs = inputs_for(op, &vars);
            let from = Instant::now();
            let r = env.calls.call(op, &inputs, &session).await;
            let stalled = lag.within(from, Instant::now());
            let outcome = sample_failure(&r, succeeded(env, op, &r));
            if outcome.is_none()
                && let Some(id) = r.outputs.get("message_id").filter(|v| !v.is_null())
            {
                vars.insert("message_id".to_string(), id.clone());
            }
            let elapsed = r.exchanges.iter().map(|e| e.elapsed).sum();
            exchanges.extend(r.exchanges);
            let mut b = lock(board);
            let Some(rec) = b.ops.get_mut(op) else {
                continue;
            };
            match outcome {
                None => rec.timings.push(elapsed, stalled),
                Some(why) => rec.failures.add(why),
            }
            // Settled only by answers slow even without vvcheck's stalls: stopping on the
            // others would cut short the measurement that tells the two apart.
            if figures::p95_settled_over(rec.timings.unstalled().over(threshold), rec.planned)
                && b.settled.is_none()
            {
                b.settled = Some(op.to_string());
            }
        }
        exchanges
    }

    /// The user's conversation (with `to`), untimed: its id and first message, or `None` when
    /// it could not be opened (twice: one flaky answer does not lose a user).
    async fn open(
        &self,
        p: &LatencyParams,
        env: &ProbeEnv<'_>,
        session: &Session,
        exchanges: &mut Vec<Exchange>,
        board: &Mutex<Board>,
    ) -> Option<Map<String, Value>> {
        let mut vars = Map::new();
        vars.insert("to".into(), Value::String(p.to.value.clone()));
        vars.insert(
            "subject".into(),
            Value::String(format!(
                "vvcheck {}: light use, user {}",
                self.run_id, self.number
            )),
        );
        vars.insert(
            "body".into(),
            Value::String(format!(
                "vvcheck {}: light use, user {} opens a conversation",
                self.run_id, self.number
            )),
        );
        let inputs = inputs_for(p.start.as_str(), &vars);
        let mut last = String::new();
        for _ in 0..2 {
            let r = env.calls.call(p.start.as_str(), &inputs, session).await;
            exchanges.extend(r.exchanges.iter().cloned());
            match sample_failure(&r, succeeded(env, p.start.as_str(), &r)) {
                None => {
                    let id = |k: &str| r.outputs.get(k).filter(|v| !v.is_null()).cloned();
                    if let (Some(c), Some(m)) = (id("conversation_id"), id("message_id")) {
                        let mut vars = Map::new();
                        vars.insert("conversation_id".into(), c);
                        vars.insert("message_id".into(), m);
                        return Some(vars);
                    }
                    last = "opening the conversation: no conversation_id and message_id came back"
                        .into();
                }
                Some(why) => last = format!("opening the conversation: {why}"),
            }
        }
        lock(board).setup_failures.add(last);
        None
    }
}

fn lock(board: &Mutex<Board>) -> std::sync::MutexGuard<'_, Board> {
    board.lock().unwrap_or_else(|e| e.into_inner())
}

/// The inputs `op` takes from the user's variables, and the defaults of the optional ones it
/// does not (a message without attachments).
fn inputs_for(op: &str, vars: &Map<String, Value>) -> Map<String, Value> {
    let Some(c) = contract::operation(op) else {
        return Map::new();
    };
    let mut inputs: Map<String, Value> = vars
        .iter()
        .filter(|(k, _)| c.accepts(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for k in c.optional {
        if !inputs.contains_key(*k) {
            inputs.insert((*k).to_string(), contract::optional_default(k));
        }
    }
    inputs
}

/// Whether the sample's last answer shows the operation done, by the profile's `ok`.
fn succeeded(env: &ProbeEnv<'_>, op: &str, r: &CallSample) -> bool {
    r.responses
        .last()
        .is_some_and(|resp| env.succeeded(op, resp))
}

/// Why a sample is not a latency figure: the operation failed, or it answered without
/// succeeding (a 503 is fast because nothing was done, so timing it would flatter the target).
fn sample_failure(r: &CallSample, succeeded: bool) -> Option<String> {
    if let Some(e) = &r.error {
        return Some(e.message.clone());
    }
    // A retried attempt's failure and the pause before the retry are in the sample's time.
    if let Some(a) = r.exchanges.iter().find_map(|e| e.attempts.first()) {
        return Some(format!("{}, then retried", a.error));
    }
    match r.status {
        _ if succeeded => None,
        Some(status) => Some(
            format!("{status} {}", reason(status))
                .trim_end()
                .to_string(),
        ),
        None => Some("no response".to_string()),
    }
}

/// The failed samples of a probe, counted by why they failed, in the order first seen.
#[derive(Debug, Default)]
struct Failures {
    count: usize,
    by_reason: IndexMap<String, usize>,
}

impl Failures {
    /// Counts a failure; one that names its request (`POST https://…/c-1/messages: request
    /// failed: …`) is counted by what went wrong, so each user's conversation does not make a
    /// reason of its own.
    fn add(&mut self, why: String) {
        self.count += 1;
        let why = match why.split_once(": ") {
            Some((request, rest)) if request.contains("://") => rest.to_string(),
            _ => why,
        };
        *self.by_reason.entry(why).or_default() += 1;
    }

    /// `2× 503 Service Unavailable, 1× connection reset`.
    fn describe(&self) -> String {
        self.by_reason
            .iter()
            .map(|(why, n)| format!("{n}× {why}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::inputs::{InputPaths, load};
    use crate::model::suite::StepKind;
    use crate::probes::registry::Registry;

    /// A target profile may declare its own threshold (`declared.latency_p95_ms`), so the
    /// titles a report prints for a latency check must not state one; notes and findings do.
    #[test]
    fn shipped_titles_state_no_threshold_a_profile_overrides() {
        let inputs = load(&InputPaths::default(), &Registry).expect("shipped inputs load");
        let duration = regex::Regex::new(r"\d\s*(ms|s)\b|\bseconds?\b").expect("valid");
        let mut seen = 0;
        for check in &inputs.checks {
            let overridable = check.steps.iter().any(|s| match &s.kind {
                StepKind::Probe { name, params } if name.as_str() == Latency::NAME => params
                    .as_any()
                    .downcast_ref::<LatencyParams>()
                    .is_some_and(|p| p.p95_ms.is_none()),
                _ => false,
            });
            if !overridable {
                continue;
            }
            seen += 1;
            let requirement_titles = check
                .requirements
                .iter()
                .filter_map(|r| inputs.catalogue.get(r))
                .map(|r| r.title.as_str());
            for title in std::iter::once(check.title.as_str()).chain(requirement_titles) {
                assert!(
                    !duration.is_match(title),
                    "`{}`: title {title:?} states a threshold",
                    check.id.as_str()
                );
            }
        }
        assert!(seen > 0, "the shipped suites time an operation");
    }

    #[test]
    fn a_sample_that_needed_a_retry_is_not_a_latency_figure() {
        let exchange = crate::outcome::Exchange {
            actor: "patient_a".into(),
            purpose: "get_message".into(),
            method: "GET".into(),
            url: "https://vendor.example/m/1".into(),
            request_headers: Vec::new(),
            request_body: None,
            status: Some(200),
            response_headers: Vec::new(),
            response_body: None,
            response_size: 0,
            error: None,
            elapsed: Duration::from_millis(205),
            attempts: Vec::new(),
            reflected: Vec::new(),
            sent: None,
        };
        let mut sample = CallSample {
            status: Some(200),
            exchanges: vec![exchange],
            responses: Vec::new(),
            outputs: serde_json::Map::new(),
            error: None,
        };
        assert_eq!(sample_failure(&sample, true), None);
        sample.exchanges[0].attempts.push(crate::outcome::Attempt {
            error: "request failed: connection reset by peer".into(),
            elapsed: Duration::from_millis(2),
        });
        assert_eq!(
            sample_failure(&sample, true).as_deref(),
            Some("request failed: connection reset by peer, then retried")
        );
        sample.exchanges[0].attempts.clear();
        sample.status = Some(503);
        assert_eq!(
            sample_failure(&sample, false).as_deref(),
            Some("503 Service Unavailable")
        );
    }
}
