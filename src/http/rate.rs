//! Per-host rate limit: requests to one host are spaced evenly at `--rate` per second.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Spaces requests per host.
#[derive(Debug)]
pub struct RateLimiter {
    interval: Option<Duration>,
    next: Mutex<HashMap<String, Instant>>,
}

impl RateLimiter {
    /// `rate` requests per second per host; `None` means unlimited.
    pub fn new(rate: Option<f64>) -> Self {
        let interval = rate
            .filter(|r| *r > 0.0)
            .map(|r| Duration::from_secs_f64(1.0 / r));
        RateLimiter {
            interval,
            next: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for this host's next slot.
    pub async fn acquire(&self, host: &str) {
        let Some(interval) = self.interval else {
            return;
        };
        let slot = {
            let Ok(mut next) = self.next.lock() else {
                return;
            };
            let now = Instant::now();
            let slot = next.get(host).copied().map_or(now, |n| n.max(now));
            next.insert(host.to_string(), slot + interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Virtual time (paused clock): this asserts spacing, not wall-clock speed.
    #[tokio::test(start_paused = true)]
    async fn spaces_requests_per_host() {
        let limiter = RateLimiter::new(Some(4.0));
        let start = Instant::now();
        for _ in 0..5 {
            limiter.acquire("a.example").await;
        }
        assert_eq!(
            start.elapsed(),
            Duration::from_secs(1),
            "five requests at 4/s take one second"
        );
        let other = Instant::now();
        limiter.acquire("b.example").await;
        assert_eq!(
            other.elapsed(),
            Duration::ZERO,
            "hosts are limited separately"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn no_rate_means_no_wait() {
        let limiter = RateLimiter::new(None);
        let start = Instant::now();
        for _ in 0..100 {
            limiter.acquire("a.example").await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
    }
}
