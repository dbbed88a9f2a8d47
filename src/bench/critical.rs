//! The critical path of a run: the longest chain of request round trips that must follow one
//! another. The shared logins come first (they run side by side before any check); then each
//! chain of checks through their `needs`, every check adding the longest chain of its own
//! requests that did not overlap. No scheduler can finish the run in fewer round trips.

use std::collections::HashMap;
use std::time::Instant;

use crate::outcome::Exchange;

/// When one request was in flight; `None` when the record does not say (it then counts as a
/// round trip of its own, after the others).
pub type Span = Option<(Instant, Instant)>;

/// The spans of `exchanges`.
pub fn spans(exchanges: &[Exchange]) -> Vec<Span> {
    exchanges
        .iter()
        .map(|e| e.sent.map(|s| (s, s + e.elapsed)))
        .collect()
}

/// The longest chain of requests among `spans` each of which started after the one before it
/// had ended: the round trips they cost one after the other.
pub fn depth(spans: &[Span]) -> usize {
    let mut timed: Vec<(Instant, Instant)> = spans.iter().flatten().copied().collect();
    let untimed = spans.len() - timed.len();
    timed.sort_unstable();
    // chain[i]: the longest chain ending with request i; quadratic, and a check sends at most
    // a few hundred requests.
    let mut chain = vec![0usize; timed.len()];
    for i in 0..timed.len() {
        let before = (0..i)
            .filter(|&j| timed[j].1 <= timed[i].0)
            .map(|j| chain[j])
            .max()
            .unwrap_or(0);
        chain[i] = before + 1;
    }
    chain.into_iter().max().unwrap_or(0) + untimed
}

/// One check of a run, as the critical path sees it.
#[derive(Debug, Clone)]
pub struct CheckTrips {
    pub id: String,
    /// The checks it waited for.
    pub needs: Vec<String>,
    /// Its own round trips one after the other ([`depth`]).
    pub round_trips: usize,
}

/// The longest chain of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CriticalPath {
    /// Round trips in all: the logins' and the checks'.
    pub round_trips: usize,
    /// Of which the shared logins' (the longest of them).
    pub login_round_trips: usize,
    /// The checks on the chain, first to last, with their round trips.
    pub checks: Vec<(String, usize)>,
}

/// The critical path over `checks` (in plan order, prerequisites first), after shared logins
/// whose longest chain is `login_round_trips`.
pub fn critical_path(login_round_trips: usize, checks: &[CheckTrips]) -> CriticalPath {
    // Per check: the longest chain ending with it, and the prerequisite it came through.
    let mut best: HashMap<&str, (usize, Option<&str>)> = HashMap::new();
    for c in checks {
        let (before, via) = c
            .needs
            .iter()
            .filter_map(|n| best.get(n.as_str()).map(|(t, _)| (*t, Some(n.as_str()))))
            .max_by_key(|(t, _)| *t)
            .unwrap_or((0, None));
        best.insert(c.id.as_str(), (before + c.round_trips, via));
    }
    let Some((&last, &(total, _))) = checks
        .iter()
        .filter_map(|c| best.get_key_value(c.id.as_str()))
        .max_by_key(|(_, (t, _))| *t)
    else {
        return CriticalPath {
            round_trips: login_round_trips,
            login_round_trips,
            checks: Vec::new(),
        };
    };
    let trips: HashMap<&str, usize> = checks
        .iter()
        .map(|c| (c.id.as_str(), c.round_trips))
        .collect();
    let mut chain = Vec::new();
    let mut at = Some(last);
    while let Some(id) = at {
        chain.push((id.to_string(), trips.get(id).copied().unwrap_or(0)));
        at = best.get(id).and_then(|(_, via)| *via);
    }
    chain.reverse();
    CriticalPath {
        round_trips: login_round_trips + total,
        login_round_trips,
        checks: chain,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(base: Instant, from_ms: u64, to_ms: u64) -> Span {
        Some((
            base + Duration::from_millis(from_ms),
            base + Duration::from_millis(to_ms),
        ))
    }

    #[test]
    fn overlapping_requests_cost_one_round_trip_and_sequential_ones_each_their_own() {
        let t = Instant::now();
        assert_eq!(depth(&[]), 0);
        // Three one after the other.
        assert_eq!(depth(&[at(t, 0, 50), at(t, 50, 100), at(t, 100, 150)]), 3);
        // Five at once, then one.
        let mut burst: Vec<Span> = (0..5).map(|i| at(t, i, 50 + i)).collect();
        burst.push(at(t, 60, 110));
        assert_eq!(depth(&burst), 2);
        // A record without a time counts on its own.
        assert_eq!(depth(&[at(t, 0, 50), None]), 2);
    }

    fn check(id: &str, needs: &[&str], round_trips: usize) -> CheckTrips {
        CheckTrips {
            id: id.into(),
            needs: needs.iter().map(|n| n.to_string()).collect(),
            round_trips,
        }
    }

    #[test]
    fn the_path_follows_the_needs_and_adds_the_logins() {
        let checks = [
            check("root", &[], 4),
            check("long", &[], 9),
            check("a", &["root"], 3),
            check("b", &["a", "long"], 2),
            check("alone", &[], 1),
        ];
        let cp = critical_path(2, &checks);
        assert_eq!(cp.round_trips, 2 + 9 + 2);
        assert_eq!(cp.login_round_trips, 2);
        assert_eq!(
            cp.checks,
            vec![("long".to_string(), 9), ("b".to_string(), 2)]
        );
        assert_eq!(critical_path(3, &[]).round_trips, 3);
    }
}
