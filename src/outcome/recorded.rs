//! Every exchange the run has recorded so far, for the passive checks that run after the active
//! ones and inspect them all (security headers on every response, banners, stack traces). The
//! records are the redacted ones the checks kept as evidence; the store is bounded, so a very
//! long run keeps its first exchanges and says how many it left out. Beside them, the message
//! texts and subjects the run sent and who sent them: the PHI the run itself planted.
//! Checks finish in whatever order the machine's load gives them, so a view lists the exchanges
//! by the check that made them (the logins first) and the texts sorted: a passive finding
//! names the same examples on every run.

use std::sync::{Arc, Mutex};

use super::Exchange;

/// Exchanges kept at most; a passive check of a larger run sees these and a count of the rest.
pub const MAX_RECORDED: usize = 20_000;

/// The run's recorded exchanges, shared by the checks as they finish.
#[derive(Debug, Default)]
pub struct Recorded {
    inner: Mutex<Kept>,
}

#[derive(Debug, Default)]
struct Kept {
    /// Each exchange with the check that made it (empty for the run's logins).
    exchanges: Vec<(String, Exchange)>,
    left_out: usize,
    sent: Vec<SentText>,
}

/// A message text or subject the run sent, as a contract input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentText {
    /// The actor who sent it.
    pub actor: String,
    /// The contract input it was: `body` or `subject`.
    pub input: String,
    pub text: String,
}

/// What a passive check sees: the exchanges kept, how many were not, and the texts sent.
#[derive(Debug, Clone, Default)]
pub struct RecordedView {
    pub exchanges: Arc<[Exchange]>,
    pub left_out: usize,
    pub sent: Arc<[SentText]>,
}

impl Recorded {
    /// Adds the exchanges of the finished check `check` (empty for the run's logins).
    pub fn add<'a>(&self, check: &str, exchanges: impl IntoIterator<Item = &'a Exchange>) {
        let Ok(mut kept) = self.inner.lock() else {
            return;
        };
        for e in exchanges {
            if kept.exchanges.len() < MAX_RECORDED {
                kept.exchanges.push((check.to_string(), e.clone()));
            } else {
                kept.left_out += 1;
            }
        }
    }

    /// Notes a message text or subject the run sent (each distinct one once).
    pub fn sent(&self, text: SentText) {
        let Ok(mut kept) = self.inner.lock() else {
            return;
        };
        if !kept.sent.contains(&text) {
            kept.sent.push(text);
        }
    }

    /// The exchanges recorded so far, by check (a check's own in the order it made them), and
    /// the texts sent, sorted.
    pub fn view(&self) -> RecordedView {
        let Ok(kept) = self.inner.lock() else {
            return RecordedView::default();
        };
        let mut exchanges: Vec<&(String, Exchange)> = kept.exchanges.iter().collect();
        exchanges.sort_by(|a, b| a.0.cmp(&b.0));
        let mut sent = kept.sent.clone();
        sent.sort_by(|a, b| (&a.actor, &a.input, &a.text).cmp(&(&b.actor, &b.input, &b.text)));
        RecordedView {
            exchanges: exchanges.into_iter().map(|(_, e)| e.clone()).collect(),
            left_out: kept.left_out,
            sent: sent.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_store_is_bounded_and_counts_what_it_leaves_out() {
        let r = Recorded::default();
        let e = Exchange::for_test("https://vendor.test/", 200, &[], "");
        r.add("a", std::iter::repeat_n(&e, MAX_RECORDED + 3));
        let v = r.view();
        assert_eq!(v.exchanges.len(), MAX_RECORDED);
        assert_eq!(v.left_out, 3);
    }

    #[test]
    fn a_view_lists_exchanges_by_check_whatever_order_the_checks_finished_in() {
        let r = Recorded::default();
        let at =
            |path: &str| Exchange::for_test(&format!("https://vendor.test/{path}"), 200, &[], "");
        r.add("b.check", [&at("b1"), &at("b2")]);
        r.add("a.check", [&at("a1")]);
        r.add("", [&at("login")]);
        let urls: Vec<String> = r.view().exchanges.iter().map(|e| e.url.clone()).collect();
        assert_eq!(
            urls,
            ["login", "a1", "b1", "b2"].map(|p| format!("https://vendor.test/{p}"))
        );
    }
}
