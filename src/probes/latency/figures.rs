//! What a latency probe makes of its timings: nearest-rank percentiles, a histogram on fixed
//! bounds a report can draw, the verdict against the threshold, and when a sample still being
//! taken can no longer bring the p95 under it.

use std::time::Duration;

use serde_json::{Value, json};

use crate::outcome::Finding;

/// Upper bounds (ms) of the histogram's buckets; a last bucket takes everything above. Fixed,
/// so that histograms of two runs (or two vendors) compare bucket by bucket.
pub const BUCKETS_MS: &[u64] = &[25, 50, 100, 250, 500, 1000, 2000, 5000, 10_000];

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

/// How many samples of `n` may lie above the p95 without moving it (nearest rank):
/// `n - ceil(0.95 n)`.
fn allowed_above(n: usize) -> usize {
    n - (0.95 * n as f64).ceil() as usize
}

/// Whether `over` samples above the threshold already put the p95 of any sample of at most
/// `planned` over it. What is allowed above the p95 never shrinks as a sample grows, so once
/// `over` passes what the planned sample allows, no further answer (or failed sample left out)
/// can bring the p95 back under.
pub fn p95_settled_over(over: usize, planned: usize) -> bool {
    over > allowed_above(planned)
}

/// One operation's timings, with the figures a report shows.
#[derive(Debug, Default, Clone)]
pub struct Timings {
    /// Each answer's time, as measured.
    pub samples: Vec<Duration>,
    /// How long vvcheck itself was stalled during each answer (same order; see
    /// [`crate::probes::lag`]).
    pub stalled: Vec<Duration>,
}

impl Timings {
    /// Records an answer that took `took`, `stalled` of it while vvcheck could not run.
    pub fn push(&mut self, took: Duration, stalled: Duration) {
        self.samples.push(took);
        self.stalled.push(stalled.min(took));
    }

    /// The times with vvcheck's own stalls taken out: a lower bound of the target's, for
    /// telling a slow target from a starved client (never itself a verdict's figures).
    pub fn unstalled(&self) -> Timings {
        Timings {
            samples: self
                .samples
                .iter()
                .zip(
                    self.stalled
                        .iter()
                        .chain(std::iter::repeat(&Duration::ZERO)),
                )
                .map(|(t, s)| t.saturating_sub(*s))
                .collect(),
            stalled: Vec::new(),
        }
    }

    /// The longest stall of any answer.
    pub fn worst_stall(&self) -> Duration {
        self.stalled.iter().max().copied().unwrap_or_default()
    }

    /// Median.
    pub fn p50(&self) -> Option<Duration> {
        percentile(&self.samples, 50.0)
    }

    /// 95th percentile.
    pub fn p95(&self) -> Option<Duration> {
        percentile(&self.samples, 95.0)
    }

    /// Slowest answer.
    pub fn max(&self) -> Option<Duration> {
        self.samples.iter().max().copied()
    }

    /// How many answers took longer than `threshold`.
    pub fn over(&self, threshold: Duration) -> usize {
        self.samples.iter().filter(|d| **d > threshold).count()
    }

    /// Counts per bucket of [`BUCKETS_MS`], then the count above the last bound.
    pub fn histogram(&self) -> Vec<usize> {
        let mut counts = vec![0; BUCKETS_MS.len() + 1];
        for d in &self.samples {
            let ms = d.as_millis();
            let i = BUCKETS_MS
                .iter()
                .position(|b| ms <= u128::from(*b))
                .unwrap_or(BUCKETS_MS.len());
            counts[i] += 1;
        }
        counts
    }

    /// `p50 120 ms, p95 340 ms, max 410 ms over 35 answers`.
    pub fn describe(&self) -> String {
        let n = self.samples.len();
        format!(
            "p50 {} ms, p95 {} ms, max {} ms over {n} answer{}",
            ms(self.p50()),
            ms(self.p95()),
            ms(self.max()),
            if n == 1 { "" } else { "s" }
        )
    }

    /// The operation's record for the evidence: figures, histogram (`le_ms: null` is the bucket
    /// above the last bound) and every sample, so a reviewer can recompute them.
    pub fn evidence(&self, operation: &str, failed: usize) -> Value {
        let buckets: Vec<Value> = self
            .histogram()
            .into_iter()
            .enumerate()
            .map(|(i, count)| json!({ "le_ms": BUCKETS_MS.get(i), "count": count }))
            .collect();
        json!({
            "operation": operation,
            "answers": self.samples.len(),
            "failed": failed,
            "p50_ms": self.p50().map(|d| d.as_millis() as u64),
            "p95_ms": self.p95().map(|d| d.as_millis() as u64),
            "max_ms": self.max().map(|d| d.as_millis() as u64),
            "histogram": buckets,
            "samples_ms": self.samples.iter().map(|d| d.as_millis() as u64).collect::<Vec<_>>(),
            "stalled_ms": self.stalled.iter().map(|d| d.as_millis() as u64).collect::<Vec<_>>(),
            "p95_unstalled_ms": self.unstalled().p95().map(|d| d.as_millis() as u64),
        })
    }
}

fn ms(d: Option<Duration>) -> u128 {
    d.map_or(0, |d| d.as_millis())
}

/// The finding when the operation's p95 is over `threshold`.
pub fn judge(operation: &str, timings: &Timings, threshold: Duration) -> Option<Finding> {
    let p95 = timings.p95()?;
    (p95 > threshold).then(|| {
        Finding::new(
            format!("{operation} p95 ≤ {} ms", threshold.as_millis()),
            format!(
                "{}; {} over {} ms",
                timings.describe(),
                timings.over(threshold),
                threshold.as_millis()
            ),
        )
    })
}

/// What an operation's timings say of the target.
#[derive(Debug)]
pub enum Judgement {
    /// The p95 is within the threshold (or nothing was timed).
    Within,
    /// The p95 is over, even with vvcheck's own stalls taken out.
    Over(Finding),
    /// The p95 is over only with vvcheck's stalls counted: the target's cannot be told.
    Undecided,
}

/// Judges `timings` against `threshold`: over only when the times without vvcheck's stalls
/// (a lower bound of the target's) are over too.
pub fn judge_stalled(operation: &str, timings: &Timings, threshold: Duration) -> Judgement {
    match judge(operation, timings, threshold) {
        None => Judgement::Within,
        Some(f) if judge(operation, &timings.unstalled(), threshold).is_some() => {
            Judgement::Over(f)
        }
        Some(_) => Judgement::Undecided,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timings(ms: impl IntoIterator<Item = u64>) -> Timings {
        let mut t = Timings::default();
        for ms in ms {
            t.push(Duration::from_millis(ms), Duration::ZERO);
        }
        t
    }

    #[test]
    fn nearest_rank() {
        let s: Vec<Duration> = (1..=20).map(Duration::from_millis).collect();
        assert_eq!(percentile(&s, 95.0), Some(Duration::from_millis(19)));
        assert_eq!(percentile(&s, 100.0), Some(Duration::from_millis(20)));
        assert_eq!(percentile(&s, 50.0), Some(Duration::from_millis(10)));
        let t = Timings {
            samples: s,
            stalled: Vec::new(),
        };
        assert!(judge("get_message", &t, Duration::from_millis(10)).is_some());
        assert!(judge("get_message", &t, Duration::from_millis(19)).is_none());
    }

    #[test]
    fn histogram_buckets_by_upper_bound_and_keeps_every_sample() {
        let t = timings([10, 25, 26, 900, 2000, 2001, 60_000]);
        let h = t.histogram();
        assert_eq!(h.iter().sum::<usize>(), 7);
        assert_eq!(h[0], 2, "≤ 25 ms: {h:?}");
        assert_eq!(h[1], 1, "≤ 50 ms: {h:?}");
        assert_eq!(h[5], 1, "≤ 1000 ms: {h:?}");
        assert_eq!(h[6], 1, "≤ 2000 ms: {h:?}");
        assert_eq!(h[7], 1, "≤ 5000 ms: {h:?}");
        assert_eq!(h[BUCKETS_MS.len()], 1, "above the last bound: {h:?}");
        let e = t.evidence("list_messages", 2);
        assert_eq!(e["histogram"][BUCKETS_MS.len()]["le_ms"], Value::Null);
        assert_eq!(e["samples_ms"].as_array().map(Vec::len), Some(7));
        assert_eq!(e["failed"], 2);
    }

    #[test]
    fn stalls_come_out_of_the_unstalled_times_only() {
        let mut t = Timings::default();
        t.push(Duration::from_millis(3400), Duration::from_millis(3000));
        t.push(Duration::from_millis(200), Duration::from_millis(900));
        assert_eq!(
            t.samples[0],
            Duration::from_millis(3400),
            "kept as measured"
        );
        let u = t.unstalled();
        assert_eq!(u.samples, [400, 0].map(Duration::from_millis));
        assert_eq!(t.worst_stall(), Duration::from_millis(3000));
        assert_eq!(t.evidence("get_message", 0)["stalled_ms"][1], 200);
    }

    #[test]
    fn over_only_by_the_clients_stalls_is_undecided() {
        let threshold = Duration::from_millis(3000);
        let with = |stall: u64| {
            let mut t = Timings::default();
            for _ in 0..20 {
                t.push(Duration::from_millis(3400), Duration::from_millis(stall));
            }
            judge_stalled("send_message", &t, threshold)
        };
        assert!(matches!(with(0), Judgement::Over(_)), "a slow target");
        assert!(
            matches!(with(300), Judgement::Over(_)),
            "slow even without the stalls"
        );
        assert!(matches!(with(1000), Judgement::Undecided));
        let mut fast = Timings::default();
        fast.push(Duration::from_millis(200), Duration::from_millis(150));
        assert!(matches!(
            judge_stalled("send_message", &fast, threshold),
            Judgement::Within
        ));
    }

    /// Stopping early must never decide a verdict the full sample could have reversed: for
    /// every planned size and every way the rest could go (all fast, or left out as failed),
    /// a p95 settled over stays over.
    #[test]
    fn a_settled_p95_cannot_come_back_under() {
        let threshold = Duration::from_millis(100);
        for planned in 1..=60 {
            for over in 0..=planned {
                if !p95_settled_over(over, planned) {
                    continue;
                }
                for taken in over..=planned {
                    let t = timings((0..taken).map(|i| if i < over { 500 } else { 1 }));
                    assert!(
                        judge("send_message", &t, threshold).is_some(),
                        "planned {planned}, {over} over, {taken} answers"
                    );
                }
            }
            // And it settles no sooner than needed: one fewer slow answer could still pass.
            let first = (0..=planned).find(|o| p95_settled_over(*o, planned));
            if let Some(first) = first.filter(|f| *f > 0) {
                let t = timings((0..planned).map(|i| if i < first - 1 { 500 } else { 1 }));
                assert!(
                    judge("send_message", &t, threshold).is_none(),
                    "planned {planned}"
                );
            }
        }
    }
}
