//! How long vvcheck itself could not run while a probe timed the target. A probe that reads
//! verdicts from response times (TEC-02's latency, SEC-07's throttling) runs a monitor beside
//! its requests: a task that wakes every [`TICK`] and records each wake-up that came markedly
//! late as a stall, the span from when it was due to when it ran. While the process is starved
//! of CPU (a loaded CI runner, its own workers busy), answers are read late by about as much, so
//! a slow time that the stalls account for is no evidence against the target.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How often the monitor wakes.
pub const TICK: Duration = Duration::from_millis(10);

/// A wake-up later than this is a stall; below it is the timer's ordinary granularity.
const NOISE: Duration = Duration::from_millis(5);

/// Stalls kept: the most recent ones (at 10 ms ticks, hours of constant stalling).
const KEPT: usize = 100_000;

type Stalls = Arc<Mutex<VecDeque<(Instant, Instant)>>>;

/// A running monitor; it stops when dropped.
pub struct LagMonitor {
    stalls: Stalls,
    task: tokio::task::JoinHandle<()>,
}

impl LagMonitor {
    /// Starts the monitor on the current Tokio runtime.
    pub fn start() -> LagMonitor {
        let stalls: Stalls = Arc::default();
        let kept = Arc::clone(&stalls);
        let task = tokio::spawn(async move {
            let mut due = Instant::now() + TICK;
            loop {
                tokio::time::sleep_until(due.into()).await;
                let woke = Instant::now();
                if woke.saturating_duration_since(due) > NOISE {
                    let mut s = kept.lock().unwrap_or_else(|e| e.into_inner());
                    if s.len() == KEPT {
                        s.pop_front();
                    }
                    s.push_back((due, woke));
                }
                due = woke + TICK;
            }
        });
        LagMonitor { stalls, task }
    }

    /// How long vvcheck was stalled between `from` and `to`: the stalls' overlap with that span.
    pub fn within(&self, from: Instant, to: Instant) -> Duration {
        let s = self.stalls.lock().unwrap_or_else(|e| e.into_inner());
        overlap(s.iter(), from, to)
    }

    /// The longest single stall so far.
    pub fn worst(&self) -> Duration {
        let s = self.stalls.lock().unwrap_or_else(|e| e.into_inner());
        s.iter()
            .map(|(a, b)| b.saturating_duration_since(*a))
            .max()
            .unwrap_or_default()
    }
}

/// The total overlap of `stalls` with the span from `from` to `to`.
fn overlap<'a>(
    stalls: impl Iterator<Item = &'a (Instant, Instant)>,
    from: Instant,
    to: Instant,
) -> Duration {
    stalls
        .map(|(a, b)| (*b).min(to).saturating_duration_since((*a).max(from)))
        .sum()
}

impl Drop for LagMonitor {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_part_of_a_stall_inside_the_span_counts() {
        let t0 = Instant::now();
        let at = |ms| t0 + Duration::from_millis(ms);
        let stalls = [(at(0), at(100)), (at(150), at(200)), (at(500), at(900))];
        let ms = |from, to| overlap(stalls.iter(), at(from), at(to)).as_millis();
        assert_eq!(ms(0, 1000), 550);
        assert_eq!(ms(50, 175), 75, "half of the first, half of the second");
        assert_eq!(ms(200, 500), 0, "between stalls");
        assert_eq!(ms(600, 300), 0, "an empty span");
    }

    /// A thread that blocks its runtime is a stall of about that length.
    #[tokio::test(flavor = "current_thread")]
    async fn a_blocked_runtime_is_a_stall() {
        let m = LagMonitor::start();
        tokio::time::sleep(TICK * 2).await;
        let from = Instant::now();
        // Holds the only worker, as a starved process would be held.
        std::thread::sleep(Duration::from_millis(300));
        tokio::time::sleep(TICK * 3).await;
        let to = Instant::now();
        let stalled = m.within(from, to);
        assert!(
            stalled >= Duration::from_millis(250),
            "stalled {stalled:?} of {:?}",
            to - from
        );
        assert!(m.worst() >= Duration::from_millis(250));
    }
}
