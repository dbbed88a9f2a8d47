//! Latency (TEC-02): an operation repeated under light concurrent use, its 95th percentile
//! judged against a threshold. Samples that failed (a transport error, even one that was
//! retried, a 502/503/504 or any other answer that is not a success) are left out of the
//! figures and named in the notes; when more than a quarter fail, the probe ends in an error,
//! never a pass.

use std::any::Any;
use std::time::Duration;

use futures_util::future::BoxFuture;
use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{CallSample, Probe, ProbeEnv, ProbeResult};
use crate::model::Located;
use crate::model::probe::ProbeParams;
use crate::outcome::{CheckError, ErrorKind, Finding, reason};

fn get_message() -> Located<String> {
    Located::new("get_message".to_string())
}

fn twenty() -> usize {
    20
}

fn four() -> usize {
    4
}

/// Parameters of `latency`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatencyParams {
    /// The contract operation to time (default `get_message`).
    #[serde(default = "get_message")]
    pub operation: Located<String>,
    /// Its inputs (templates).
    #[serde(default)]
    pub inputs: IndexMap<String, Located<Value>>,
    /// How many times to call it (1–200, default 20).
    #[serde(default = "twenty")]
    pub samples: usize,
    /// How many calls at once (1–16, default 4).
    #[serde(default = "four")]
    pub concurrency: usize,
    /// The p95 threshold in milliseconds (default: the profile's `declared.latency_p95_ms`).
    #[serde(default)]
    pub p95_ms: Option<u64>,
}

impl ProbeParams for LatencyParams {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn templates(&self) -> Vec<&Located<Value>> {
        self.inputs.values().collect()
    }
    fn operations(&self) -> Vec<&Located<String>> {
        vec![&self.operation]
    }
}

/// `latency`: p95 latency of an operation under light concurrent use.
pub struct Latency;

impl Probe for Latency {
    const NAME: &'static str = "latency";
    const ABOUT: &'static str = "p95 latency of an operation under light concurrent use";
    const PARAMS: &'static [&'static str] =
        &["operation", "inputs", "samples", "concurrency", "p95_ms"];
    type Params = LatencyParams;
    fn run<'a, 'b>(p: &'a LatencyParams, env: &'a mut ProbeEnv<'b>) -> BoxFuture<'a, ProbeResult> {
        Box::pin(latency(p, env))
    }
}

async fn latency(p: &LatencyParams, env: &mut ProbeEnv<'_>) -> ProbeResult {
    let op_name = p.operation.as_str();
    let samples = p.samples.clamp(1, 200);
    let concurrency = p.concurrency.clamp(1, 16);
    let threshold = Duration::from_millis(p.p95_ms.unwrap_or(env.target.declared.latency_p95_ms));
    let Some((actor, session)) = env.actor.clone() else {
        return Err(CheckError::new(
            ErrorKind::Input,
            "`latency` needs an actor: add `as:` to the step",
        ));
    };
    let mut inputs = Map::new();
    for (k, v) in &p.inputs {
        inputs.insert(k.clone(), env.render(v)?);
    }
    let mut timings = Vec::with_capacity(samples);
    let mut failures = Failures::default();
    let mut remaining = samples;
    while remaining > 0 {
        let batch = remaining.min(concurrency);
        remaining -= batch;
        let runs = (0..batch).map(|_| env.calls.call(op_name, &inputs, &session));
        for r in futures_util::future::join_all(runs).await {
            match sample_failure(&r) {
                None => timings.push(r.exchanges.iter().map(|e| e.elapsed).sum()),
                Some(why) => failures.add(why),
            }
            if let Some(ex) = r.exchanges.last() {
                env.evidence.exchanges.push(ex.clone());
            }
        }
    }
    if failures.count > 0 {
        env.notes.push(format!(
            "{op_name} as {actor}: {} of {samples} samples failed and are left out of the latency figures: {}",
            failures.count,
            failures.describe()
        ));
    }
    // A percentile of the answers that came back says nothing when many did not.
    if failures.count * 4 > samples {
        return Err(CheckError::new(
            ErrorKind::Unavailable,
            format!(
                "latency of {op_name}: {} of {samples} samples failed ({}), more than a quarter",
                failures.count,
                failures.describe()
            ),
        ));
    }
    let p95 = percentile(&timings, 95.0).unwrap_or_default();
    env.notes.push(format!(
        "{op_name} as {actor}: {} samples, concurrency {concurrency}, p95 {} ms (threshold {} ms)",
        timings.len(),
        p95.as_millis(),
        threshold.as_millis()
    ));
    Ok(judge(op_name, &timings, threshold).into_iter().collect())
}

/// Why a sample is not a latency figure: the operation failed, or it answered without
/// succeeding (a 503 is fast because nothing was done, so timing it would flatter the target).
fn sample_failure(r: &CallSample) -> Option<String> {
    if let Some(e) = &r.error {
        return Some(e.message.clone());
    }
    // A retried attempt's failure and the pause before the retry are in the sample's time.
    if let Some(a) = r.exchanges.iter().find_map(|e| e.attempts.first()) {
        return Some(format!("{}, then retried", a.error));
    }
    match r.status {
        Some(status) if (200..300).contains(&status) => None,
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
    fn add(&mut self, why: String) {
        self.count += 1;
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

/// Nearest-rank percentile (`p` in 0..=100) of unsorted samples.
pub fn percentile(samples: &[Duration], p: f64) -> Option<Duration> {
    if samples.is_empty() {
        return None;
    }
    let mut sorted = samples.to_vec();
    sorted.sort();
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted.get(rank - 1).copied()
}

/// The finding when the p95 is over `threshold`.
pub fn judge(operation: &str, samples: &[Duration], threshold: Duration) -> Option<Finding> {
    let p95 = percentile(samples, 95.0)?;
    (p95 > threshold).then(|| {
        Finding::new(
            format!("{operation} p95 ≤ {} ms", threshold.as_millis()),
            format!(
                "p95 {} ms over {} samples (max {} ms)",
                p95.as_millis(),
                samples.len(),
                samples.iter().max().map_or(0, |d| d.as_millis())
            ),
        )
    })
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
        };
        let mut sample = CallSample {
            status: Some(200),
            response: None,
            exchanges: vec![exchange],
            error: None,
        };
        assert_eq!(sample_failure(&sample), None);
        sample.exchanges[0].attempts.push(crate::outcome::Attempt {
            error: "request failed: connection reset by peer".into(),
            elapsed: Duration::from_millis(2),
        });
        assert_eq!(
            sample_failure(&sample).as_deref(),
            Some("request failed: connection reset by peer, then retried")
        );
        sample.exchanges[0].attempts.clear();
        sample.status = Some(503);
        assert_eq!(
            sample_failure(&sample).as_deref(),
            Some("503 Service Unavailable")
        );
    }

    #[test]
    fn nearest_rank() {
        let s: Vec<Duration> = (1..=20).map(Duration::from_millis).collect();
        assert_eq!(percentile(&s, 95.0), Some(Duration::from_millis(19)));
        assert_eq!(percentile(&s, 100.0), Some(Duration::from_millis(20)));
        assert!(judge("get_message", &s, Duration::from_millis(10)).is_some());
        assert!(judge("get_message", &s, Duration::from_millis(19)).is_none());
    }
}
