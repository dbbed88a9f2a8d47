//! Whether an answer shows an outcome, by the rules the target profile gives for it (see
//! [`crate::model::outcome`]), and how to say what it showed instead.

use serde_json::Value;

use super::Failure;
use crate::http::{Incoming, reason};
use crate::model::outcome::{Outcome, OutcomeRule};

/// The outcome a step expects and the ways its operation shows it.
pub struct ExpectedOutcome<'a> {
    pub outcome: Outcome,
    pub rules: &'a [OutcomeRule],
    /// The login page's path, for `redirect_to_login`.
    pub login_path: Option<&'a str>,
}

/// Whether `rule` holds of `resp`: every condition it gives.
fn holds(rule: &OutcomeRule, resp: &Incoming, login_path: Option<&str>) -> bool {
    if let Some(s) = &rule.status
        && !s.accepts(resp.status)
    {
        return false;
    }
    if let Some(j) = &rule.json {
        // A body that is not JSON holds nothing, which is what `absent` asks.
        let Some(doc) = resp.json() else {
            return j.absent && holds_rest(rule, resp, login_path);
        };
        let Ok((_, path)) = j.path.resolve(&Value::Null) else {
            return false;
        };
        if !j.holds(&path.query(&doc).all()) {
            return false;
        }
    }
    holds_rest(rule, resp, login_path)
}

/// The conditions of `rule` besides status and JSON: its header and its redirect.
fn holds_rest(rule: &OutcomeRule, resp: &Incoming, login_path: Option<&str>) -> bool {
    if let Some(h) = &rule.header
        && !resp.headers_named(&h.name).any(|v| h.matches.is_match(v))
    {
        return false;
    }
    if rule.redirect_to_login {
        let to_login = (300..400).contains(&resp.status)
            && resp
                .header("location")
                .and_then(|l| resp.url.join(l).ok())
                .zip(login_path)
                .is_some_and(|(to, login)| to.path() == login);
        if !to_login {
            return false;
        }
    }
    true
}

/// What an answer showed, for a finding: its status and what the rules looked at.
fn seen(resp: &Incoming, rules: &[OutcomeRule]) -> String {
    let mut parts = vec![
        format!("HTTP {} {}", resp.status, reason(resp.status))
            .trim_end()
            .to_string(),
    ];
    let doc = resp.json();
    for j in rules.iter().filter_map(|r| r.json.as_ref()) {
        let Some(doc) = &doc else { break };
        let Ok((shown, path)) = j.path.resolve(&Value::Null) else {
            continue;
        };
        let found: Vec<String> = path
            .query(doc)
            .all()
            .iter()
            .map(|v| v.to_string())
            .collect();
        let text = if found.is_empty() {
            "nothing".to_string()
        } else {
            found.join(", ")
        };
        let part = format!("{shown} = {text}");
        if !parts.contains(&part) {
            parts.push(part);
        }
    }
    match (&resp.unfollowed, resp.header("location")) {
        (Some(why), _) => parts.push(why.clone()),
        (None, Some(l)) => parts.push(format!("Location: {l}")),
        (None, None) => {}
    }
    parts.join(", ")
}

/// The failure, when `resp` shows none of the ways of the expected outcome.
pub fn check(expected: &ExpectedOutcome, resp: &Incoming) -> Option<Failure> {
    if expected
        .rules
        .iter()
        .any(|r| holds(r, resp, expected.login_path))
    {
        return None;
    }
    let ways: Vec<String> = expected.rules.iter().map(ToString::to_string).collect();
    Some(Failure {
        expected: format!("{} ({})", expected.outcome, ways.join(", or ")),
        seen: seen(resp, expected.rules),
    })
}

/// Whether `resp` shows `expected` (for telling a refusal from an unavailable target).
pub fn shows(expected: &ExpectedOutcome, resp: &Incoming) -> bool {
    check(expected, resp).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, content_type: &str, body: &str) -> Incoming {
        Incoming {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: bytes::Bytes::from(body.to_string()),
            cut: None,
            elapsed: std::time::Duration::ZERO,
            url: url::Url::parse("https://vendor.test/graphql").expect("URL"),
            unfollowed: None,
        }
    }

    fn rule(yaml: &str) -> OutcomeRule {
        let node = crate::model::yaml::parse(yaml).expect("YAML");
        crate::model::yaml::from_node(&node).expect("a rule")
    }

    #[test]
    fn absent_errors_hold_of_a_clean_answer_and_of_a_body_that_is_not_json() {
        let ok = rule("{ status: 200, json: { path: $.errors, absent: true } }");
        let json = "application/json";
        assert!(holds(
            &ok,
            &resp(200, json, r#"{"data":{"me":{"id":1}}}"#),
            None
        ));
        assert!(holds(
            &ok,
            &resp(200, json, r#"{"data":{},"errors":[]}"#),
            None
        ));
        assert!(holds(
            &ok,
            &resp(200, "application/octet-stream", "\u{1}raw"),
            None
        ));
        assert!(!holds(
            &ok,
            &resp(200, json, r#"{"data":null,"errors":[{"message":"no"}]}"#),
            None
        ));
        assert!(!holds(&ok, &resp(400, "text/xml", "<Error/>"), None));
        let with_header = rule(
            "{ json: { path: $.errors, absent: true }, header: { name: X-Ok, matches: yes } }",
        );
        assert!(
            !holds(&with_header, &resp(200, "text/plain", "fine"), None),
            "the other conditions still hold or not"
        );
    }
}
