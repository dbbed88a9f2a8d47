//! Stopping a run early (SIGINT, SIGTERM): the scheduler starts no further check, the ones
//! running are dropped, and every check that did not finish reports `error: interrupted`, so
//! the reports still get written, whole, for what did run.

use std::sync::{Arc, OnceLock};

use tokio_util::sync::CancellationToken;

/// A handle to stop a run; clones share one state. The default is never triggered.
#[derive(Debug, Clone, Default)]
pub struct Interrupt {
    token: CancellationToken,
    /// What stopped the run ("SIGINT"); the first trigger names it.
    cause: Arc<OnceLock<String>>,
}

impl Interrupt {
    /// Stops the run; `cause` names what stopped it. Later triggers change nothing.
    pub fn trigger(&self, cause: &str) {
        let _ = self.cause.set(cause.to_string());
        self.token.cancel();
    }

    /// What stopped the run, once it was stopped.
    pub fn cause(&self) -> Option<&str> {
        self.token
            .is_cancelled()
            .then(|| self.cause.get().map_or("an interrupt", String::as_str))
    }

    /// Resolves once the run is stopped (at once if it already was).
    pub async fn triggered(&self) {
        self.token.cancelled().await;
    }

    /// Runs `work` unless the run is stopped first; `None` when it was.
    pub async fn unless<T>(&self, work: impl Future<Output = T>) -> Option<T> {
        tokio::select! {
            biased;
            () = self.triggered() => None,
            out = work => Some(out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn work_runs_to_its_end_unless_stopped_first() {
        let i = Interrupt::default();
        assert_eq!(i.unless(async { 7 }).await, Some(7));
        assert_eq!(i.cause(), None);
        i.trigger("SIGTERM");
        i.trigger("SIGINT");
        assert_eq!(i.cause(), Some("SIGTERM"), "the first trigger names it");
        assert_eq!(i.unless(std::future::pending::<u8>()).await, None);
    }

    #[tokio::test]
    async fn a_clone_stops_the_run_it_was_cloned_from() {
        let i = Interrupt::default();
        let other = i.clone();
        let waiting = tokio::spawn(async move { other.unless(std::future::pending::<()>()).await });
        i.trigger("SIGINT");
        assert_eq!(waiting.await.expect("joins"), None);
    }
}
