//! Taking values out of a response: everything an output's source matches (JSONPath, filters
//! included, header, cookie, regex, literal, body facts, per-item lists), then its transform.

use serde_json::Value;
use sha2::Digest;

use super::client::Incoming;
use super::cookies::SetCookie;
use super::transform;
use crate::model::output::{
    BodyFact, CsvSpec, ItemSource, ListSpec, OutputSpec, Source, Transform,
};
use crate::model::pattern::PathExpr;
use crate::model::template;

/// Every value `path` selects in `doc`.
pub fn query_all(path: &PathExpr, doc: &Value, ctx: &Value) -> Result<Vec<Value>, String> {
    let (_, jp) = path.resolve(ctx)?;
    Ok(jp.query(doc).all().into_iter().cloned().collect())
}

/// The response body as JSON, or why it is not.
pub fn json_body(resp: &Incoming) -> Result<Value, String> {
    if let Some(why) = resp.undecided("its JSON") {
        return Err(why);
    }
    resp.json().ok_or_else(|| {
        format!(
            "the response is not JSON (status {}, {} bytes)",
            resp.status,
            resp.body.len()
        )
    })
}

/// A CSV body as a JSON list of rows: objects keyed by the header line, or lists of cells.
pub fn csv_body(resp: &Incoming, spec: CsvSpec) -> Result<Value, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(spec.header)
        .flexible(true)
        .from_reader(resp.body.as_ref());
    let names: Vec<String> = if spec.header {
        reader
            .headers()
            .map_err(|e| format!("the response is not CSV: {e}"))?
            .iter()
            .map(str::to_string)
            .collect()
    } else {
        Vec::new()
    };
    let mut rows = Vec::new();
    for row in reader.records() {
        let row = row.map_err(|e| format!("the response is not CSV: {e}"))?;
        let cells = row.iter().map(|c| Value::String(c.to_string()));
        rows.push(if spec.header {
            Value::Object(names.iter().cloned().zip(cells).collect())
        } else {
            Value::Array(cells.collect())
        });
    }
    Ok(Value::Array(rows))
}

fn render(v: &str, ctx: &Value) -> Result<Value, String> {
    template::render_value(&Value::String(v.to_string()), ctx).map_err(|e| e.0)
}

/// Every value `source` matches in the pages of a response: a list gathers the items of every
/// page, any other source reads the first.
fn matches(source: &Source, pages: &[Incoming], ctx: &Value) -> Result<Vec<Value>, String> {
    let Some(resp) = pages.first() else {
        return Err("no response".into());
    };
    let text = |s: &str| Value::String(s.to_string());
    Ok(match source {
        Source::Json(path) => query_all(path, &json_body(resp)?, ctx)?,
        Source::Header(h) => resp.headers_named(h).map(text).collect(),
        Source::Cookie(name) => resp
            .headers_named("set-cookie")
            .filter_map(SetCookie::parse)
            .filter(|c| &c.name == name)
            .map(|c| Value::String(c.value))
            .collect(),
        Source::Regex(re) => {
            let body = resp.text();
            re.regex()
                .captures_iter(&body)
                .filter_map(|caps| caps.get(1).or_else(|| caps.get(0)))
                .map(|m| text(m.as_str()))
                .collect()
        }
        Source::Value(v) => vec![render(v, ctx)?],
        Source::Body(BodyFact::Sha256) => {
            vec![Value::String(hex::encode(sha2::Sha256::digest(&resp.body)))]
        }
        Source::Body(BodyFact::Size) => vec![Value::from(resp.body.len())],
        Source::Body(BodyFact::Text) => vec![Value::String(resp.text())],
        Source::List(list) => {
            let mut all = Vec::new();
            for page in pages {
                let doc = match list.csv {
                    Some(csv) => csv_body(page, csv)?,
                    None => json_body(page)?,
                };
                all.extend(records(list, &doc, ctx)?);
            }
            vec![Value::Array(all)]
        }
    })
}

/// Why `source` gave no value.
fn nothing(source: &Source) -> String {
    match source {
        Source::Json(path) => format!("`{path}` matched nothing in the response"),
        Source::Header(h) => format!("no `{h}` header in the response"),
        Source::Cookie(name) => format!("the response sets no cookie `{name}`"),
        Source::Regex(re) => format!("/{re}/ matched nothing in the response"),
        Source::Value(v) => format!("`{v}` gave nothing"),
        Source::Body(fact) => format!("the body's {fact:?} gave nothing"),
        Source::List(list) => format!("`{}` selected no items", list.items),
    }
}

/// The records of a list: each element `items` selects, mapped field by field; a field that
/// gives nothing is null.
fn records(list: &ListSpec, doc: &Value, ctx: &Value) -> Result<Vec<Value>, String> {
    query_all(&list.items, doc, ctx)?
        .into_iter()
        .map(|element| {
            let mut record = serde_json::Map::new();
            for (name, field) in list.item.iter() {
                let found = match &field.source {
                    ItemSource::Json(p) => query_all(p, &element, ctx)?,
                    ItemSource::Value(v) => vec![render(v, ctx)?],
                };
                let value = transform::apply(field.transform.as_ref(), found, ctx)
                    .map_err(|e| format!("item field `{}`: {e}", name.value))?;
                record.insert(name.value.clone(), value.unwrap_or(Value::Null));
            }
            Ok(Value::Object(record))
        })
        .collect()
}

/// How many elements a list selects in a page.
pub fn count_items(list: &ListSpec, doc: &Value, ctx: &Value) -> Result<usize, String> {
    query_all(&list.items, doc, ctx).map(|items| items.len())
}

/// Evaluates one output against a response; `ctx` renders templates inside the spec.
pub fn extract(spec: &OutputSpec, resp: &Incoming, ctx: &Value) -> Result<Value, String> {
    extract_pages(spec, std::slice::from_ref(resp), ctx)
}

/// Evaluates one output over the pages of a paged list: a list gathers the items of every page
/// (before its transform), any other output is read from the first page.
pub fn extract_pages(spec: &OutputSpec, pages: &[Incoming], ctx: &Value) -> Result<Value, String> {
    let found = matches(&spec.source, pages, ctx)?;
    transform::apply(spec.transform.as_ref(), found, ctx)?.ok_or_else(|| match spec.transform {
        // `first` gives nothing for an empty list too.
        Some(Transform::First) => format!("{}, or only an empty list", nothing(&spec.source)),
        _ => nothing(&spec.source),
    })
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

/// The values of an HTML page's hidden inputs whose names say they hold an anti-forgery token
/// or a nonce (`csrf_token`, `_xsrf`, `authenticity_token`, `__RequestVerificationToken`).
pub fn hidden_tokens(html: &str) -> Vec<String> {
    static INPUT: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"(?is)<input\b[^>]*\btype\s*=\s*["']?hidden["']?[^>]*>"#).ok()
    });
    static NAME: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r#"(?is)\bname\s*=\s*["'][^"']*(csrf|xsrf|token|nonce|verification)[^"']*["']"#,
        )
        .ok()
    });
    static VALUE: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"(?is)\bvalue\s*=\s*["']([^"']+)["']"#).ok()
    });
    let (Some(input), Some(name), Some(value)) = (&*INPUT, &*NAME, &*VALUE) else {
        return Vec::new();
    };
    input
        .find_iter(html)
        .map(|m| m.as_str())
        .filter(|tag| name.is_match(tag))
        .filter_map(|tag| value.captures(tag)?.get(1).map(|v| v.as_str().to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hidden_tokens_are_found_by_their_names() {
        let html = r#"<form><input type="hidden" name="csrf_token" value="csrf-38hh">
            <input name="q" type="hidden" value="not-a-token">
            <input type=hidden value='v-2' name='__RequestVerificationToken'></form>"#;
        assert_eq!(hidden_tokens(html), ["csrf-38hh", "v-2"]);
    }

    fn resp(body: &str) -> Incoming {
        Incoming {
            status: 200,
            headers: vec![
                ("Set-Cookie".into(), "sid=abc; Secure".into()),
                ("X-Id".into(), "7".into()),
            ],
            body: bytes::Bytes::from(body.to_string()),
            cut: None,
            elapsed: std::time::Duration::ZERO,
            url: url::Url::parse("https://x/").unwrap(),
            unfollowed: None,
        }
    }

    fn spec(yaml: &str) -> OutputSpec {
        let node = crate::model::yaml::parse(yaml).expect("YAML");
        crate::model::yaml::from_node(&node).expect("an output spec")
    }

    #[test]
    fn extracts_by_every_kind() {
        let r = resp(r#"{"posts":[{"pid":"p1","body_text":"hi"},{"pid":"p2","body_text":"yo"}]}"#);
        let ctx = json!({"message_id": "p2"});
        let get = |yaml: &str| extract(&spec(yaml), &r, &ctx);
        assert_eq!(
            get("\"$.posts[?@.pid == '{{message_id}}'].body_text\""),
            Ok(json!("yo"))
        );
        assert_eq!(get("{ header: x-id }"), Ok(json!("7")));
        assert_eq!(get("{ cookie: sid }"), Ok(json!("abc")));
        assert_eq!(get(r#"{ regex: '"pid":"(p\d)"' }"#), Ok(json!("p1")));
        assert_eq!(
            get("{ items: '$.posts[*]', item: { message_id: $.pid } }"),
            Ok(json!([{"message_id": "p1"}, {"message_id": "p2"}]))
        );
        assert_eq!(
            get("$.nope"),
            Err("`$.nope` matched nothing in the response".into())
        );
        assert_eq!(
            get("{ header: x-none }"),
            Err("no `x-none` header in the response".into())
        );
    }

    #[test]
    fn transforms_apply_to_every_match_of_any_source() {
        let r = resp(
            r#"{"posts":[{"pid":"p1","seen_by":[{"user":"u-1","at":"2026-03-01T09:30:00Z"}]},{"pid":"p2","seen_by":[]}]}"#,
        );
        let get = |yaml: &str| extract(&spec(yaml), &r, &json!({}));
        assert_eq!(
            get("{ json: '$.posts[*].pid', transform: count }"),
            Ok(json!(2))
        );
        assert_eq!(
            get("{ json: '$.posts[*].pid', transform: { join: ' & ' } }"),
            Ok(json!("p1 & p2"))
        );
        assert_eq!(
            get("{ json: '$.posts[*].pid', transform: first }"),
            Ok(json!("p1"))
        );
        assert_eq!(
            get("{ json: $.missing, transform: exists }"),
            Ok(json!(false))
        );
        assert_eq!(get("{ header: x-id, transform: exists }"), Ok(json!(true)));
        assert_eq!(get("{ regex: 'p\\d', transform: count }"), Ok(json!(2)));
        assert_eq!(
            get("{ json: '$.posts[1].seen_by', transform: first }"),
            Err(
                "`$.posts[1].seen_by` matched nothing in the response, or only an empty list"
                    .into()
            )
        );
        assert_eq!(
            get(
                "{ items: '$.posts[*]', item: { message_id: $.pid, read: { json: $.seen_by, transform: not_empty }, by: { json: '$.seen_by[*].user', transform: { join: ',' } }, label: { json: $, template: '{{item.pid}}!' } } }"
            ),
            Ok(json!([
                {"message_id": "p1", "read": true, "by": "u-1", "label": "p1!"},
                {"message_id": "p2", "read": false, "by": "", "label": "p2!"}
            ]))
        );
        assert_eq!(
            get("{ items: '$.posts[*]', item: { message_id: $.pid }, transform: count }"),
            Ok(json!(2))
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
