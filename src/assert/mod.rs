//! The expectation language: status, headers, JSONPath, body, latency and contract outputs.
//! A failed expectation says what was expected and what was seen, in one line.

pub mod file;
pub mod outcome;
mod text_diff;

use std::time::Duration;

use serde_json::Value;

use crate::http::{Incoming, reason};
use crate::model::suite::{Expect, StatusSpec, ValueExpect, output_name};
use crate::model::template;

/// One unmet expectation.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub expected: String,
    pub seen: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "expected {}, saw {}", self.expected, self.seen)
    }
}

/// What one step observed.
pub struct Observation<'a> {
    /// The response expectations on status, headers and body apply to.
    pub last: &'a Incoming,
    /// Every response of the step (leak checks apply to all).
    pub all: &'a [Incoming],
    /// The contract outputs the profile mapped (only those that could be read).
    pub outputs: &'a serde_json::Map<String, Value>,
    /// Outputs that could not be read, with why.
    pub missing: &'a [(String, String)],
    /// Masks secrets in a quoted value, before it is shortened.
    pub mask: &'a dyn Fn(&str) -> String,
    /// The outcome the step expects (`ok` unless it says, or gives a `status:`), and how the
    /// operation shows it.
    pub outcome: Option<outcome::ExpectedOutcome<'a>>,
}

/// An expectation could not even be evaluated (a template failed): not a verdict.
#[derive(Debug, Clone)]
pub struct EvalError(pub String);

/// A value as a finding quotes it: secrets masked first, then on one line and shortened.
fn quote(s: &str, mask: &dyn Fn(&str) -> String) -> String {
    const MAX: usize = 80;
    let one_line: String = mask(s)
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.chars().count() > MAX {
        format!("{:?}…", one_line.chars().take(MAX).collect::<String>())
    } else {
        format!("{one_line:?}")
    }
}

fn show(v: &Value, mask: &dyn Fn(&str) -> String) -> String {
    match v {
        Value::String(s) => quote(s, mask),
        other => quote(&other.to_string(), mask),
    }
}

/// Checks one value against an expectation.
fn check_value(
    mask: &dyn Fn(&str) -> String,
    what: &str,
    exp: &ValueExpect,
    seen: Option<&Value>,
    all: &[Value],
    ctx: &Value,
) -> Result<Option<Failure>, EvalError> {
    let fail = |expected: String, seen: String| {
        Ok(Some(Failure {
            expected: format!("{what} {expected}"),
            seen,
        }))
    };
    match exp {
        ValueExpect::Present => match seen {
            Some(_) => Ok(None),
            None => fail("present".into(), "none".into()),
        },
        ValueExpect::Absent => match seen {
            None => Ok(None),
            Some(v) => fail("absent".into(), show(v, mask)),
        },
        ValueExpect::Count(n) => {
            if all.len() == *n {
                Ok(None)
            } else {
                fail(format!("to match {n} item(s)"), format!("{}", all.len()))
            }
        }
        ValueExpect::Equals(want) => {
            let want = template::render_value(want, ctx).map_err(|e| EvalError(e.0))?;
            match seen {
                Some(v) if loosely_equal(v, &want) => Ok(None),
                Some(Value::String(got)) if want.is_string() => {
                    let sent = mask(&as_text(&want));
                    let seen = match text_diff::difference(&sent, &mask(got)) {
                        Some(how) => format!("{} — {how}", quote(got, mask)),
                        None => quote(got, mask),
                    };
                    fail(format!("= {}", show(&want, mask)), seen)
                }
                Some(v) => fail(format!("= {}", show(&want, mask)), show(v, mask)),
                None => fail(format!("= {}", show(&want, mask)), "nothing".into()),
            }
        }
        ValueExpect::Matches(re) => match seen {
            Some(v) if re.is_match(&as_text(v)) => Ok(None),
            Some(v) => fail(format!("to match /{re}/"), show(v, mask)),
            None => fail(format!("to match /{re}/"), "nothing".into()),
        },
        ValueExpect::Contains(s) => {
            let s = template::render(s, ctx).map_err(|e| EvalError(e.0))?;
            match seen {
                Some(v) if as_text(v).contains(&s) => Ok(None),
                Some(v) => fail(format!("to contain {}", quote(&s, mask)), show(v, mask)),
                None => fail(format!("to contain {}", quote(&s, mask)), "nothing".into()),
            }
        }
        ValueExpect::NotContains(s) => {
            let s = template::render(s, ctx).map_err(|e| EvalError(e.0))?;
            match seen {
                Some(v) if !s.is_empty() && as_text(v).contains(&s) => {
                    fail(format!("not to contain {}", quote(&s, mask)), show(v, mask))
                }
                _ => Ok(None),
            }
        }
        ValueExpect::Sorted => {
            let texts: Vec<String> = all.iter().map(as_text).collect();
            match texts.windows(2).position(|w| w[0] > w[1]) {
                None => Ok(None),
                Some(i) => fail(
                    "in order".into(),
                    format!(
                        "{} before {}",
                        quote(&texts[i], mask),
                        quote(&texts[i + 1], mask)
                    ),
                ),
            }
        }
    }
}

fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Equality that treats `"200"` and `200`, `"true"` and `true` alike (YAML is loose).
fn loosely_equal(a: &Value, b: &Value) -> bool {
    a == b || as_text(a) == as_text(b)
}

/// The value an output key selects: the output itself, or a path into it
/// (`messages[*].message_id` gives the list of every message's id).
fn output_value(
    outputs: &serde_json::Map<String, Value>,
    key: &str,
) -> Result<Option<Value>, String> {
    if output_name(key) == key {
        return Ok(outputs.get(key).cloned());
    }
    let jp = crate::model::pattern::parse_jsonpath(&format!("$.{key}"))
        .map_err(|e| format!("invalid output path `{key}`: {e}"))?;
    let doc = Value::Object(outputs.clone());
    let found: Vec<Value> = jp.query(&doc).all().into_iter().cloned().collect();
    Ok(match (found.len(), key.contains('*')) {
        (0, false) => None,
        (1, false) => found.into_iter().next(),
        _ => Some(Value::Array(found)),
    })
}

/// The status expectation's failure, if any.
pub fn check_status(spec: &StatusSpec, resp: &Incoming) -> Option<Failure> {
    (!spec.accepts(resp.status)).then(|| Failure {
        expected: format!("status {spec}"),
        seen: format!("{} {}", resp.status, reason(resp.status))
            .trim_end()
            .to_string(),
    })
}

/// Why an expectation on the body cannot be decided from the part of it kept (the body was cut
/// at [`KEEP_LIMIT`](crate::http::spill::KEEP_LIMIT)): an output it did not give, JSON, a
/// pattern, a text that must be there and is not in the part kept, a text that must not be there
/// and is not in it either, or an outcome its JSON shows. Asked before [`evaluate`], so that a cut body never passes (or
/// fails) by what was left out; `None` when every expectation can be decided.
pub fn undecided(expect: &Expect, obs: &Observation, ctx: &Value) -> Option<String> {
    let last = obs.last;
    let json_outcome = obs
        .outcome
        .as_ref()
        .is_some_and(|o| o.rules.iter().any(|r| r.json.is_some()));
    if json_outcome && let Some(why) = last.undecided("the outcome its JSON shows") {
        return Some(why);
    }
    // An output the profile reads from the body, unread because the body was cut.
    if last.cut.is_some()
        && let Some((name, why)) = obs
            .missing
            .iter()
            .find(|(n, _)| expect.outputs.keys().any(|k| output_name(k) == n.as_str()))
    {
        return Some(format!("output `{name}` could not be read: {why}"));
    }
    if !expect.json.is_empty()
        && let Some(why) = last.undecided("`json` expectations")
    {
        return Some(why);
    }
    if expect.body_matches.is_some()
        && let Some(why) = last.undecided("`body_matches`")
    {
        return Some(why);
    }
    if last.cut.is_some() && !expect.body_contains.0.is_empty() {
        let body = last.text();
        let missing = expect
            .body_contains
            .0
            .iter()
            .any(|s| template::render(s, ctx).is_ok_and(|s| !body.contains(&s)));
        if missing {
            return last.undecided("`body_contains`");
        }
    }
    if !expect.body_not_contains.0.is_empty() {
        let texts: Vec<String> = expect
            .body_not_contains
            .0
            .iter()
            .filter_map(|s| template::render(s, ctx).ok())
            .filter(|s| !s.is_empty())
            .collect();
        let seen = obs.all.iter().any(|r| {
            texts
                .iter()
                .any(|t| crate::http::seen::says(&r.body, t).is_some())
        });
        if !seen && !texts.is_empty() {
            return obs
                .all
                .iter()
                .find_map(|r| r.undecided("`body_not_contains`"));
        }
    }
    None
}

/// Evaluates every expectation of a step; returns the unmet ones.
pub fn evaluate(
    expect: &Expect,
    obs: &Observation,
    ctx: &Value,
) -> Result<Vec<Failure>, EvalError> {
    let mask = obs.mask;
    let mut failures = Vec::new();
    if let Some(status) = &expect.status {
        failures.extend(check_status(status, obs.last));
    }
    match &obs.outcome {
        Some(expected) => failures.extend(outcome::check(expected, obs.last)),
        None if expect.status.is_none() => {
            failures.extend(check_status(&StatusSpec(vec![(200, 299)]), obs.last));
        }
        None => {}
    }
    // An answer other than the one expected (a redirect where `ok` was) is the verdict: the
    // outputs it lacks for that reason are no error of the check.
    let answered_otherwise = !failures.is_empty();
    for (name, exp) in &expect.headers {
        let seen = obs.last.header(name).map(|v| Value::String(v.to_string()));
        let all: Vec<Value> = obs
            .last
            .headers_named(name)
            .map(|v| Value::String(v.to_string()))
            .collect();
        failures.extend(check_value(
            mask,
            &format!("header {name}"),
            exp,
            seen.as_ref(),
            &all,
            ctx,
        )?);
    }
    if !expect.json.is_empty() {
        let doc = obs.last.json();
        for (path, exp) in &expect.json {
            let (rendered, jp) = path.resolve(ctx).map_err(EvalError)?;
            let found: Vec<Value> = doc
                .as_ref()
                .map(|d| jp.query(d).all().into_iter().cloned().collect())
                .unwrap_or_default();
            // `count` and `sorted` of a path that selects one list look inside it (as Hurl does).
            let items = match found.as_slice() {
                [Value::Array(items)] => items.clone(),
                _ => found.clone(),
            };
            failures.extend(check_value(
                mask,
                &format!("JSON {rendered}"),
                exp,
                found.first(),
                &items,
                ctx,
            )?);
        }
    }
    if !expect.body_contains.0.is_empty() {
        let body = obs.last.text();
        for s in &expect.body_contains.0 {
            let s = template::render(s, ctx).map_err(|e| EvalError(e.0))?;
            if !body.contains(&s) {
                failures.push(Failure {
                    expected: format!("body to contain {}", quote(&s, mask)),
                    seen: format!("{} bytes without it", body.len()),
                });
            }
        }
    }
    for s in &expect.body_not_contains.0 {
        let s = template::render(s, ctx).map_err(|e| EvalError(e.0))?;
        if s.is_empty() {
            continue;
        }
        for resp in obs.all {
            if let Some(how) = crate::http::seen::says(&resp.body, &s) {
                let how = match how {
                    crate::http::seen::Encoding::AsIs => String::new(),
                    other => format!(", {}", other.label()),
                };
                failures.push(Failure {
                    expected: format!("no response to contain {}", quote(&s, mask)),
                    seen: format!("it in the {} response body{how}", resp.status),
                });
                break;
            }
        }
    }
    if let Some(re) = &expect.body_matches
        && !re.is_match(&obs.last.text())
    {
        failures.push(Failure {
            expected: format!("body to match /{re}/"),
            seen: "no match".into(),
        });
    }
    if let Some(ms) = expect.latency_ms {
        let limit = Duration::from_millis(ms);
        if let Some(slow) = obs
            .all
            .iter()
            .map(|r| r.elapsed)
            .max()
            .filter(|d| *d > limit)
        {
            failures.push(Failure {
                expected: format!("a response within {ms} ms"),
                seen: format!("{} ms", slow.as_millis()),
            });
        }
    }
    for (name, exp) in &expect.outputs {
        let base = output_name(name);
        if let Some((_, why)) = obs.missing.iter().find(|(n, _)| n == base)
            && !matches!(exp.value, ValueExpect::Absent)
        {
            if answered_otherwise {
                continue;
            }
            return Err(EvalError(format!(
                "output `{base}` could not be read: {why}"
            )));
        }
        let seen = output_value(obs.outputs, name).map_err(EvalError)?;
        let all: Vec<Value> = match &seen {
            Some(Value::Array(items)) => items.clone(),
            Some(v) => vec![v.clone()],
            None => Vec::new(),
        };
        failures.extend(check_value(
            mask,
            &format!("output {}", name.value),
            exp,
            seen.as_ref(),
            &all,
            ctx,
        )?);
    }
    if let Some(sent) = &expect.same_file {
        let sent = template::render_value(&Value::String(sent.value.clone()), ctx)
            .map_err(|e| EvalError(e.0))?;
        failures.extend(file::check(&sent, obs.outputs, obs.missing)?);
    }
    Ok(failures)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::located::Located;
    use serde_json::json;

    fn resp(status: u16, headers: &[(&str, &str)], body: &str) -> Incoming {
        Incoming {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: bytes::Bytes::from(body.to_string()),
            cut: None,
            elapsed: Duration::from_millis(5),
            url: url::Url::parse("https://x/").unwrap(),
            unfollowed: None,
        }
    }

    #[test]
    fn a_quoted_value_is_masked_before_it_is_shortened() {
        let secret = "s3cret-token-value";
        let long = format!("{}{secret}", "x".repeat(70));
        let mask = |t: &str| t.replace(secret, "[REDACTED]");
        let quoted = quote(&long, &mask);
        assert!(!quoted.contains("s3cr"), "{quoted}");
        assert!(
            quote(&long, &|t| t.to_string()).contains("s3cr"),
            "the cut alone would leave it"
        );
    }

    #[test]
    fn status_and_body_leaks_are_reported_in_one_line() {
        let r = resp(200, &[("Cache-Control", "public")], "secret text here");
        let all = [r.clone()];
        let outputs = serde_json::Map::new();
        let obs = Observation {
            last: &r,
            all: &all,
            outputs: &outputs,
            missing: &[],
            mask: &|t| t.to_string(),
            outcome: None,
        };
        let mut e = Expect {
            status: Some(Located::new(StatusSpec(vec![(401, 401), (403, 403)]))),
            ..Default::default()
        };
        e.body_not_contains.0.push(Located::new("{{text}}".into()));
        e.headers.insert(
            "Cache-Control".into(),
            Located::new(ValueExpect::Matches(
                crate::model::pattern::Pattern::new("no-store").expect("valid"),
            )),
        );
        let f = evaluate(&e, &obs, &json!({"text": "secret text"})).unwrap();
        let lines: Vec<String> = f.iter().map(ToString::to_string).collect();
        assert_eq!(lines[0], "expected status 401/403, saw 200 OK");
        assert_eq!(
            lines[1],
            "expected header Cache-Control to match /no-store/, saw \"public\""
        );
        assert_eq!(
            lines[2],
            "expected no response to contain \"secret text\", saw it in the 200 response body"
        );
    }

    #[test]
    fn a_leak_in_an_escaped_form_is_still_a_leak() {
        let r = resp(
            404,
            &[("Content-Type", "application/json")],
            r#"{"error":"not found","debug":{"text":"R\u00e9sultats normaux"}}"#,
        );
        let all = [r.clone()];
        let outputs = serde_json::Map::new();
        let obs = Observation {
            last: &r,
            all: &all,
            outputs: &outputs,
            missing: &[],
            mask: &|t| t.to_string(),
            outcome: None,
        };
        let mut e = Expect::default();
        e.body_not_contains.0.push(Located::new("{{text}}".into()));
        let f = evaluate(&e, &obs, &json!({"text": "Résultats normaux"})).unwrap();
        assert_eq!(
            f.iter().map(ToString::to_string).nth(1).as_deref(),
            Some(
                "expected no response to contain \"Résultats normaux\", saw it in the 404 response body, JSON-escaped"
            )
        );
    }

    #[test]
    fn a_cut_body_decides_only_what_its_kept_part_shows() {
        let mut r = resp(200, &[], "the first part, with a leak");
        r.cut = Some(crate::http::body::Cut {
            size: 50_000_000,
            sha256: String::new(),
        });
        let all = [r.clone()];
        let outputs = serde_json::Map::new();
        let obs = Observation {
            last: &r,
            all: &all,
            outputs: &outputs,
            missing: &[],
            mask: &|t| t.to_string(),
            outcome: None,
        };
        let mut e = Expect::default();
        e.body_contains.0.push(Located::new("first part".into()));
        e.body_not_contains.0.push(Located::new("leak".into()));
        assert_eq!(
            undecided(&e, &obs, &json!({})),
            None,
            "both seen in the part kept"
        );
        e.body_not_contains.0[0] = Located::new("secret".into());
        assert_eq!(
            undecided(&e, &obs, &json!({})).as_deref(),
            Some(
                "the body was 50000000 bytes; only the first 1 MiB was kept, so `body_not_contains` cannot be decided"
            )
        );
    }

    #[test]
    fn outputs_compare_after_rendering() {
        let r = resp(200, &[], "{}");
        let all = [r.clone()];
        let mut outputs = serde_json::Map::new();
        outputs.insert("body".into(), json!("Bonjour ✓"));
        let obs = Observation {
            last: &r,
            all: &all,
            outputs: &outputs,
            missing: &[],
            mask: &|t| t.to_string(),
            outcome: None,
        };
        let mut e = Expect::default();
        e.outputs.insert(
            Located::new("body".into()),
            Located::new(ValueExpect::Equals(json!("{{sent}}"))),
        );
        assert!(
            evaluate(&e, &obs, &json!({"sent": "Bonjour ✓"}))
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            evaluate(&e, &obs, &json!({"sent": "autre"})).unwrap().len(),
            1
        );
    }
}
