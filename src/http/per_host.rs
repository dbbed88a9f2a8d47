//! Diagnoses learnt once per host in a run: why connections to a `host:port` fail, as the
//! proxy, the client certificate or a broken HTTP/2 explains it. Every later failure on that
//! host reads the first answer instead of asking the host again.

use std::collections::HashMap;
use std::sync::Mutex;

/// What each host's diagnosis found (`None`: nothing to say), by `host:port`.
#[derive(Debug, Default)]
pub(super) struct PerHost(Mutex<HashMap<String, Option<String>>>);

impl PerHost {
    /// The diagnosis of `key`, made by `diagnose` the first time only.
    pub(super) async fn once<F>(&self, key: String, diagnose: impl FnOnce() -> F) -> Option<String>
    where
        F: Future<Output = Option<String>>,
    {
        if let Some(known) = self.0.lock().ok()?.get(&key) {
            return known.clone();
        }
        let found = diagnose().await;
        if let Ok(mut seen) = self.0.lock() {
            seen.insert(key, found.clone());
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn each_host_is_diagnosed_once() {
        let seen = PerHost::default();
        let mut asked = 0;
        for _ in 0..3 {
            let found = seen
                .once("h:443".into(), || {
                    asked += 1;
                    async { Some("refused".to_string()) }
                })
                .await;
            assert_eq!(found.as_deref(), Some("refused"));
        }
        assert_eq!(asked, 1);
        assert_eq!(seen.once("other:443".into(), || async { None }).await, None);
    }
}
