//! One order from several: the parts list their checks and requirements as subsequences of the
//! whole run's order, so the whole order is a topological merge of theirs.

use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;

/// Every key of `seqs` once, each sequence's order kept; keys no sequence orders are taken by
/// `tie` (given a key and where it first appears: sequence, position), lowest first. Sequences
/// that contradict each other leave their remaining keys in `tie` order.
pub fn interleave<K, T>(seqs: &[Vec<K>], tie: impl Fn(&K, (usize, usize)) -> T) -> Vec<K>
where
    K: Clone + Eq + Hash,
    T: Ord,
{
    let mut index: HashMap<&K, usize> = HashMap::new();
    let mut keys: Vec<(&K, (usize, usize))> = Vec::new();
    for (s, seq) in seqs.iter().enumerate() {
        for (p, k) in seq.iter().enumerate() {
            index.entry(k).or_insert_with(|| {
                keys.push((k, (s, p)));
                keys.len() - 1
            });
        }
    }
    let mut after: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); keys.len()];
    let mut before = vec![0usize; keys.len()];
    for seq in seqs {
        for pair in seq.windows(2) {
            let (a, b) = (index[&pair[0]], index[&pair[1]]);
            if a != b && after[a].insert(b) {
                before[b] += 1;
            }
        }
    }
    let rank: Vec<T> = keys.iter().map(|(k, at)| tie(k, *at)).collect();
    let mut ready: BTreeSet<(&T, usize)> = (0..keys.len())
        .filter(|&i| before[i] == 0)
        .map(|i| (&rank[i], i))
        .collect();
    let mut out = Vec::with_capacity(keys.len());
    let mut placed = vec![false; keys.len()];
    loop {
        let next = match ready.pop_first() {
            Some((_, i)) => i,
            // A contradiction: take the lowest remaining key as if nothing ordered it.
            None => match (0..keys.len())
                .filter(|&i| !placed[i])
                .min_by_key(|&i| &rank[i])
            {
                Some(i) => i,
                None => break,
            },
        };
        if placed[next] {
            continue;
        }
        placed[next] = true;
        out.push(keys[next].0.clone());
        for &b in &after[next] {
            before[b] = before[b].saturating_sub(1);
            if before[b] == 0 && !placed[b] {
                ready.insert((&rank[b], b));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seq(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn contiguous_parts_with_shared_keys_come_back_in_the_whole_order() {
        // The whole order a b c P d e f, cut as [a b c] [d e] [f], P in every part.
        let parts = [seq("abcP"), seq("Pde"), seq("Pf")];
        let got: String = interleave(&parts, |_, at| at).into_iter().collect();
        assert_eq!(got, "abcPdef");
        let parts = [seq("abP"), seq("cPd"), seq("Pef")];
        let got: String = interleave(&parts, |_, at| at).into_iter().collect();
        assert_eq!(got, "abcPdef");
    }

    #[test]
    fn unordered_keys_follow_the_tie_and_contradictions_still_end() {
        let parts = [seq("ac"), seq("b")];
        let got: String = interleave(&parts, |k, _| *k).into_iter().collect();
        assert_eq!(got, "abc");
        let got: String = interleave(&[seq("ab"), seq("ba")], |k, _| *k)
            .into_iter()
            .collect();
        assert_eq!(got, "ab");
    }
}
