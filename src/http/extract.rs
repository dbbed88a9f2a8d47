//! Taking values out of a response: JSONPath (filters included), header, cookie, regex,
//! literal, body facts, and per-item lists.

use serde_json::Value;
use sha2::Digest;

use super::client::Incoming;
use super::cookies::SetCookie;
use crate::model::pattern::PathExpr;
use crate::model::target::{BodyFact, OutputSpec};
use crate::model::template;

fn query_all(path: &PathExpr, doc: &Value, ctx: &Value) -> Result<Vec<Value>, String> {
    let (_, jp) = path.resolve(ctx)?;
    Ok(jp.query(doc).all().into_iter().cloned().collect())
}

fn first(path: &PathExpr, doc: &Value, ctx: &Value) -> Result<Value, String> {
    query_all(path, doc, ctx)?
        .into_iter()
        .next()
        .ok_or_else(|| format!("`{path}` matched nothing in the response"))
}

/// Evaluates one output against a response; `ctx` renders templates inside the spec.
pub fn extract(spec: &OutputSpec, resp: &Incoming, ctx: &Value) -> Result<Value, String> {
    let json = || {
        resp.json().ok_or_else(|| {
            format!(
                "the response is not JSON (status {}, {} bytes)",
                resp.status,
                resp.body.len()
            )
        })
    };
    match spec {
        OutputSpec::Json(path) => first(path, &json()?, ctx),
        OutputSpec::Header(h) => resp
            .header(h)
            .map(|v| Value::String(v.to_string()))
            .ok_or_else(|| format!("no `{h}` header in the response")),
        OutputSpec::Cookie(name) => resp
            .headers_named("set-cookie")
            .filter_map(SetCookie::parse)
            .find(|c| &c.name == name)
            .map(|c| Value::String(c.value))
            .ok_or_else(|| format!("the response sets no cookie `{name}`")),
        OutputSpec::Regex(re) => {
            let text = resp.text();
            let caps = re
                .regex()
                .captures(&text)
                .ok_or_else(|| format!("/{re}/ matched nothing in the response"))?;
            let m = caps
                .get(1)
                .or_else(|| caps.get(0))
                .map_or("", |m| m.as_str());
            Ok(Value::String(m.to_string()))
        }
        OutputSpec::Value(v) => {
            template::render_value(&Value::String(v.clone()), ctx).map_err(|e| e.0)
        }
        OutputSpec::Body(BodyFact::Sha256) => {
            Ok(Value::String(hex::encode(sha2::Sha256::digest(&resp.body))))
        }
        OutputSpec::Body(BodyFact::Size) => Ok(Value::from(resp.body.len())),
        OutputSpec::Body(BodyFact::Text) => Ok(Value::String(resp.text())),
        OutputSpec::List { items, item } => {
            let doc = json()?;
            let mut out = Vec::new();
            for element in query_all(items, &doc, ctx)? {
                let mut obj = serde_json::Map::new();
                for (name, s) in item {
                    let v = match s {
                        OutputSpec::Json(p) => first(p, &element, ctx).unwrap_or(Value::Null),
                        OutputSpec::Value(v) => {
                            template::render_value(&Value::String(v.clone()), ctx)
                                .map_err(|e| e.0)?
                        }
                        _ => {
                            return Err(format!(
                                "list item field `{name}` must be a JSONPath or a value"
                            ));
                        }
                    };
                    obj.insert(name.clone(), v);
                }
                out.push(Value::Object(obj));
            }
            Ok(Value::Array(out))
        }
    }
}

/// The `value` of the hidden input `name` in an HTML page.
pub fn hidden_input(html: &str, name: &str) -> Option<String> {
    let tag = regex::Regex::new(&format!(
        r#"(?is)<input[^>]*\bname\s*=\s*["']{}["'][^>]*>"#,
        regex::escape(name)
    ))
    .ok()?;
    let value = regex::Regex::new(r#"(?is)\bvalue\s*=\s*["']([^"']*)["']"#).ok()?;
    let input = tag.find(html)?.as_str();
    value
        .captures(input)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::pattern::Pattern;
    use serde_json::json;

    fn resp(body: &str) -> Incoming {
        Incoming {
            status: 200,
            headers: vec![
                ("Set-Cookie".into(), "sid=abc; Secure".into()),
                ("X-Id".into(), "7".into()),
            ],
            body: bytes::Bytes::from(body.to_string()),
            elapsed: std::time::Duration::ZERO,
            url: url::Url::parse("https://x/").unwrap(),
        }
    }

    #[test]
    fn extracts_by_every_kind() {
        let r = resp(r#"{"posts":[{"pid":"p1","body_text":"hi"},{"pid":"p2","body_text":"yo"}]}"#);
        let ctx = json!({"message_id": "p2"});
        let filter = OutputSpec::Json(
            PathExpr::new("$.posts[?@.pid == '{{message_id}}'].body_text").unwrap(),
        );
        assert_eq!(extract(&filter, &r, &ctx).unwrap(), json!("yo"));
        assert_eq!(
            extract(&OutputSpec::Header("x-id".into()), &r, &ctx).unwrap(),
            json!("7")
        );
        assert_eq!(
            extract(&OutputSpec::Cookie("sid".into()), &r, &ctx).unwrap(),
            json!("abc")
        );
        assert_eq!(
            extract(
                &OutputSpec::Regex(Pattern::new(r#""pid":"(p\d)""#).unwrap()),
                &r,
                &ctx
            )
            .unwrap(),
            json!("p1")
        );
        let list = OutputSpec::List {
            items: PathExpr::new("$.posts[*]").unwrap(),
            item: [(
                "message_id".to_string(),
                OutputSpec::Json(PathExpr::new("$.pid").unwrap()),
            )]
            .into_iter()
            .collect(),
        };
        assert_eq!(
            extract(&list, &r, &ctx).unwrap(),
            json!([{"message_id": "p1"}, {"message_id": "p2"}])
        );
        assert!(
            extract(
                &OutputSpec::Json(PathExpr::new("$.nope").unwrap()),
                &r,
                &ctx
            )
            .is_err()
        );
    }

    #[test]
    fn finds_hidden_inputs() {
        let html = r#"<form><input type="hidden" name="authenticity_token" value="t0k"><input name="x"></form>"#;
        assert_eq!(
            hidden_input(html, "authenticity_token").as_deref(),
            Some("t0k")
        );
        assert_eq!(hidden_input(html, "missing"), None);
    }
}
