//! Latency judgement (TEC-02): the 95th percentile of a set of timings against a threshold.

use std::time::Duration;

use crate::assert::Failure;

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
pub fn judge(operation: &str, samples: &[Duration], threshold: Duration) -> Option<Failure> {
    let p95 = percentile(samples, 95.0)?;
    (p95 > threshold).then(|| Failure {
        expected: format!("{operation} p95 ≤ {} ms", threshold.as_millis()),
        seen: format!(
            "p95 {} ms over {} samples (max {} ms)",
            p95.as_millis(),
            samples.len(),
            samples.iter().max().map_or(0, |d| d.as_millis())
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let s: Vec<Duration> = (1..=20).map(Duration::from_millis).collect();
        assert_eq!(percentile(&s, 95.0), Some(Duration::from_millis(19)));
        assert_eq!(percentile(&s, 100.0), Some(Duration::from_millis(20)));
        assert!(judge("get_message", &s, Duration::from_millis(10)).is_some());
        assert!(judge("get_message", &s, Duration::from_millis(19)).is_none());
    }
}
