//! Running axe-core on the rendered page and reading its results as [`RuleOutcome`]s: one per
//! axe rule of the WCAG 2.0 A and AA tags, its criteria from its tags, violations as failures
//! and "incomplete" (needs review) as undecided.

use serde::Deserialize;

use crate::probes::a11y::issue::{Issue, IssueKind, SNIPPET_CHARS, shorten};
use crate::probes::a11y::rules::{Engine, RuleOutcome};

/// Waits until the DOM has been still for 200 ms (script-built content has been built), at
/// most 2 s, so a page that never stops changing is still audited.
pub const SETTLE: &str = r#"new Promise(done => {
  let quiet;
  const finish = () => { observer.disconnect(); clearTimeout(quiet); done(true); };
  const observer = new MutationObserver(() => { clearTimeout(quiet); quiet = setTimeout(finish, 200); });
  observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  quiet = setTimeout(finish, 200);
  setTimeout(finish, 2000);
})"#;

/// Whether axe is loaded in the page (injected with the document, and not overwritten by it).
pub const PRESENT: &str = "typeof axe === 'object' && typeof axe.run === 'function'";

/// Runs axe with the WCAG 2.0 A and AA rules and returns only what the mapping reads (pass
/// nodes are counted, not sent). `frame-tested` is added so a frame axe could not enter is
/// named (undecided) rather than passed over in silence; a frame gets 5 s to answer, within
/// the run's deadline.
pub const RUN: &str = r#"(async () => {
  const r = await axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] },
    rules: { 'frame-tested': { enabled: true } },
    resultTypes: ['violations', 'incomplete', 'passes'],
    frameWaitTime: 5000,
  });
  const slim = (rules, nodes) => rules.map(x => ({
    id: x.id, tags: x.tags, help: x.help, count: x.nodes.length,
    nodes: nodes ? x.nodes.map(n => ({ target: n.target, html: n.html, failureSummary: n.failureSummary || '' })) : [],
  }));
  return {
    violations: slim(r.violations, true),
    incomplete: slim(r.incomplete, true),
    passes: slim(r.passes, false),
    inapplicable: slim(r.inapplicable, false),
  };
})()"#;

/// axe's results, as [`RUN`] returns them.
#[derive(Debug, Deserialize)]
pub struct Results {
    violations: Vec<RuleResult>,
    incomplete: Vec<RuleResult>,
    passes: Vec<RuleResult>,
    inapplicable: Vec<RuleResult>,
}

#[derive(Debug, Deserialize)]
struct RuleResult {
    id: String,
    tags: Vec<String>,
    help: String,
    count: usize,
    nodes: Vec<Node>,
}

#[derive(Debug, Deserialize)]
struct Node {
    /// One selector per frame; inside a shadow root, a list of selectors per host.
    target: Vec<serde_json::Value>,
    html: String,
    #[serde(rename = "failureSummary")]
    failure_summary: String,
}

/// One outcome per axe rule that ran, in the order axe reports them (rules that applied to
/// nothing with `checked: 0`).
pub fn outcomes(results: Results) -> Vec<RuleOutcome> {
    let mut out: Vec<RuleOutcome> = Vec::new();
    let mut add = |r: RuleResult, kind: Option<IssueKind>| {
        let at = match out.iter().position(|o| o.rule == r.id) {
            Some(at) => at,
            None => {
                out.push(RuleOutcome {
                    engine: Engine::Browser,
                    rule: r.id.clone(),
                    criteria: criteria(&r.tags),
                    help: r.help.clone(),
                    checked: 0,
                    issues: Vec::new(),
                    omitted: 0,
                });
                out.len() - 1
            }
        };
        let o = &mut out[at];
        o.checked += r.count;
        if let Some(kind) = kind {
            o.issues.extend(r.nodes.into_iter().map(|n| Issue {
                kind,
                selector: selector(&n.target),
                snippet: shorten(&n.html, SNIPPET_CHARS),
                message: if n.failure_summary.is_empty() {
                    r.help.clone()
                } else {
                    n.failure_summary
                },
            }));
            // As many listed as a static rule lists; the rest counted.
            let max = crate::probes::a11y::rules::MAX_ISSUES;
            if o.issues.len() > max {
                o.omitted += o.issues.len() - max;
                o.issues.truncate(max);
            }
        }
    };
    for r in results.violations {
        add(r, Some(IssueKind::Fail));
    }
    for r in results.incomplete {
        add(r, Some(IssueKind::Undecided));
    }
    for r in results.passes {
        add(r, None);
    }
    for r in results.inapplicable {
        add(r, None);
    }
    out
}

/// The success criteria among axe's tags: `wcag111` is 1.1.1, `wcag1412` 1.4.12; the level
/// tags (`wcag2a`, `wcag21aa`) and others are not criteria.
fn criteria(tags: &[String]) -> Vec<String> {
    tags.iter()
        .filter_map(|t| {
            let digits = t.strip_prefix("wcag")?;
            if digits.len() < 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let (principle, rest) = digits.split_at(1);
            let (guideline, criterion) = rest.split_at(1);
            Some(format!("{principle}.{guideline}.{criterion}"))
        })
        .collect()
}

/// axe's target as one selector: frames and shadow hosts joined by spaces.
fn selector(target: &[serde_json::Value]) -> String {
    fn parts(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Array(a) => a.iter().for_each(|v| parts(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    target.iter().for_each(|v| parts(v, &mut out));
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn criteria_come_from_the_criterion_tags_only() {
        let tags: Vec<String> = [
            "cat.text-alternatives",
            "wcag2a",
            "wcag111",
            "wcag1412",
            "wcag21aa",
            "section508",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(criteria(&tags), ["1.1.1", "1.4.12"]);
    }

    #[test]
    fn violations_fail_incomplete_is_undecided_and_every_node_is_counted() {
        let results: Results = serde_json::from_value(serde_json::json!({
            "violations": [{"id": "color-contrast", "tags": ["wcag2aa", "wcag143"], "help": "contrast",
                "count": 1, "nodes": [{"target": ["iframe", ["#host", "p"]], "html": "<p>x</p>", "failureSummary": "Fix it"}]}],
            "incomplete": [{"id": "color-contrast", "tags": ["wcag2aa", "wcag143"], "help": "contrast",
                "count": 1, "nodes": [{"target": ["#bg"], "html": "<p id=\"bg\">", "failureSummary": ""}]}],
            "passes": [{"id": "color-contrast", "tags": ["wcag2aa", "wcag143"], "help": "contrast", "count": 5, "nodes": []}],
            "inapplicable": [{"id": "video-caption", "tags": ["wcag2a", "wcag122"], "help": "captions", "count": 0, "nodes": []}]
        }))
        .expect("results");
        let out = outcomes(results);
        assert_eq!(out.len(), 2);
        let cc = &out[0];
        assert_eq!(
            (cc.engine, cc.rule.as_str(), cc.checked),
            (Engine::Browser, "color-contrast", 7)
        );
        assert_eq!(cc.criteria, ["1.4.3"]);
        assert_eq!(cc.issues[0].kind, IssueKind::Fail);
        assert_eq!(cc.issues[0].selector, "iframe #host p");
        assert_eq!(cc.issues[0].message, "Fix it");
        assert_eq!(cc.issues[1].kind, IssueKind::Undecided);
        assert_eq!(
            cc.issues[1].message, "contrast",
            "no summary: the rule's help"
        );
        assert_eq!((out[1].rule.as_str(), out[1].checked), ("video-caption", 0));
    }
}
