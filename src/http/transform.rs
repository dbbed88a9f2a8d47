//! What an output's transform makes of the values its source matched: `exists`, `not_empty`,
//! `count`, `first`, `join`, or a template over the first match. Without a transform, the first
//! match is the value.

use serde_json::{Map, Value};

use crate::model::output::Transform;
use crate::model::template;

/// The values a transform counts, takes first or joins: the elements when the one match is a
/// list, else the matches; nulls are nothing.
fn values(found: Vec<Value>) -> Vec<Value> {
    let mut found: Vec<Value> = found.into_iter().filter(|v| !v.is_null()).collect();
    match found.as_mut_slice() {
        [Value::Array(items)] => std::mem::take(items)
            .into_iter()
            .filter(|v| !v.is_null())
            .collect(),
        _ => found,
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

fn as_text(v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(_) | Value::Bool(_) => Ok(v.to_string()),
        Value::Array(_) | Value::Object(_) | Value::Null => Err(format!(
            "`join` takes text, numbers and booleans, and a match was {}",
            if v.is_array() { "a list" } else { "a record" }
        )),
    }
}

/// `ctx` with `item` bound to `item`, for a template over a match.
fn with_item(ctx: &Value, item: Value) -> Value {
    let mut vars = match ctx {
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    };
    vars.insert("item".to_string(), item);
    Value::Object(vars)
}

/// Applies `transform` to everything a source `found`; `None` when there is no value to give
/// (nothing matched, and the transform needs a match).
pub fn apply(
    transform: Option<&Transform>,
    found: Vec<Value>,
    ctx: &Value,
) -> Result<Option<Value>, String> {
    let Some(t) = transform else {
        return Ok(found.into_iter().next());
    };
    Ok(Some(match t {
        Transform::Exists => Value::Bool(found.iter().any(|v| !v.is_null())),
        Transform::NotEmpty => Value::Bool(found.iter().any(|v| !is_empty(v))),
        Transform::Count => Value::from(values(found).len()),
        Transform::First => match values(found).into_iter().next() {
            Some(v) => v,
            None => return Ok(None),
        },
        Transform::Join(separator) => {
            let texts = values(found)
                .iter()
                .map(as_text)
                .collect::<Result<Vec<_>, _>>()?;
            Value::String(texts.join(separator))
        }
        Transform::Template(source) => {
            let item = found.into_iter().next().unwrap_or(Value::Null);
            template::render_value(&Value::String(source.clone()), &with_item(ctx, item))
                .map_err(|e| e.0)?
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(t: Transform, found: Value) -> Result<Option<Value>, String> {
        let found = match found {
            Value::Array(matches) => matches,
            other => vec![other],
        };
        apply(Some(&t), found, &json!({"sep": "/"}))
    }

    #[test]
    fn without_a_transform_the_first_match_is_the_value() {
        assert_eq!(
            apply(None, vec![json!(1), json!(2)], &Value::Null),
            Ok(Some(json!(1)))
        );
        assert_eq!(apply(None, Vec::new(), &Value::Null), Ok(None));
    }

    #[test]
    fn exists_and_not_empty_are_booleans() {
        assert_eq!(run(Transform::Exists, json!([[]])), Ok(Some(json!(true))));
        assert_eq!(
            run(Transform::Exists, json!([null])),
            Ok(Some(json!(false)))
        );
        assert_eq!(run(Transform::Exists, json!([])), Ok(Some(json!(false))));
        let seen_by = json!([[{"user": "u-cl-31d5", "at": "2026-03-01T09:30:00Z"}]]);
        assert_eq!(run(Transform::NotEmpty, seen_by), Ok(Some(json!(true))));
        for empty in [
            json!([[]]),
            json!([{}]),
            json!([""]),
            json!([null]),
            json!([]),
        ] {
            assert_eq!(
                run(Transform::NotEmpty, empty.clone()),
                Ok(Some(json!(false))),
                "{empty}"
            );
        }
        assert_eq!(run(Transform::NotEmpty, json!([0])), Ok(Some(json!(true))));
    }

    #[test]
    fn count_and_first_look_inside_one_matched_list() {
        assert_eq!(
            run(Transform::Count, json!([[1, 2, 3]])),
            Ok(Some(json!(3)))
        );
        assert_eq!(run(Transform::Count, json!(["a", "b"])), Ok(Some(json!(2))));
        assert_eq!(run(Transform::Count, json!([null])), Ok(Some(json!(0))));
        assert_eq!(run(Transform::Count, json!([])), Ok(Some(json!(0))));
        assert_eq!(
            run(Transform::First, json!([["u-1", "u-2"]])),
            Ok(Some(json!("u-1")))
        );
        assert_eq!(
            run(Transform::First, json!(["a", "b"])),
            Ok(Some(json!("a")))
        );
        assert_eq!(run(Transform::First, json!([[]])), Ok(None));
    }

    #[test]
    fn join_writes_scalars_as_text_and_refuses_records() {
        let j = |found: Value| run(Transform::Join(", ".into()), found);
        assert_eq!(j(json!([["a", 1, true]])), Ok(Some(json!("a, 1, true"))));
        assert_eq!(j(json!(["x", null, "y"])), Ok(Some(json!("x, y"))));
        assert_eq!(j(json!([])), Ok(Some(json!(""))));
        assert!(j(json!([[{"a": 1}]])).unwrap_err().contains("a record"));
    }

    #[test]
    fn a_template_sees_the_first_match_as_item_and_the_variables() {
        let t = |s: &str, found: Value| run(Transform::Template(s.into()), found);
        let note = json!([{"subject": "Results", "body": "are in"}]);
        assert_eq!(
            t("{{item.subject}}{{sep}}{{item.body}}", note),
            Ok(Some(json!("Results/are in")))
        );
        assert_eq!(
            t("{{ item | length > 0 }}", json!([["u-1"]])),
            Ok(Some(json!(true))),
            "a sole expression keeps its type"
        );
        assert_eq!(
            t("{{ item or 'none' }}", json!([])),
            Ok(Some(json!("none")))
        );
        assert!(t("{{ nope }}", json!(["x"])).is_err());
    }
}
