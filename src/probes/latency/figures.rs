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
    pub samples: Vec<Duration>,
}

impl Timings {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn timings(ms: impl IntoIterator<Item = u64>) -> Timings {
        Timings {
            samples: ms.into_iter().map(Duration::from_millis).collect(),
        }
    }

    #[test]
    fn nearest_rank() {
        let s: Vec<Duration> = (1..=20).map(Duration::from_millis).collect();
        assert_eq!(percentile(&s, 95.0), Some(Duration::from_millis(19)));
        assert_eq!(percentile(&s, 100.0), Some(Duration::from_millis(20)));
        assert_eq!(percentile(&s, 50.0), Some(Duration::from_millis(10)));
        let t = Timings { samples: s };
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
