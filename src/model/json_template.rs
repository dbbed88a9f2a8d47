//! A JSON body as written in a target profile (`json: { title: "{{subject}}" }`): the value
//! rendered where the request is sent, and every string in it with where it was written, so
//! that a problem in one of its templates points at that string, not at the request.

use std::fmt;

use indexmap::IndexMap;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::located::Located;

/// A JSON body template.
#[derive(Debug, Clone)]
pub struct JsonTemplate {
    /// The body as written, rendered with the request's variables when it is sent.
    pub value: Value,
    /// Every string value inside it, in document order, with its position.
    pub strings: Vec<Located<String>>,
}

/// The body as read, each node with its position.
enum Tree {
    Str(String),
    Seq(Vec<Located<Tree>>),
    Map(IndexMap<String, Located<Tree>>),
    Scalar(Value),
}

impl<'de> Deserialize<'de> for Tree {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Tree, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Tree;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_unit<E>(self) -> Result<Tree, E> {
                Ok(Tree::Scalar(Value::Null))
            }
            fn visit_none<E>(self) -> Result<Tree, E> {
                Ok(Tree::Scalar(Value::Null))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Tree, D::Error> {
                Tree::deserialize(d)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Tree, E> {
                Ok(Tree::Scalar(Value::Bool(v)))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Tree, E> {
                Ok(Tree::Scalar(Value::from(v)))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Tree, E> {
                Ok(Tree::Scalar(Value::from(v)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Tree, E> {
                serde_json::Number::from_f64(v)
                    .map(|n| Tree::Scalar(Value::Number(n)))
                    .ok_or_else(|| E::custom(format!("{v} is not a JSON number")))
            }
            fn visit_str<E>(self, v: &str) -> Result<Tree, E> {
                Ok(Tree::Str(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Tree, E> {
                Ok(Tree::Str(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Tree, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Located<Tree>>()? {
                    items.push(item);
                }
                Ok(Tree::Seq(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tree, A::Error> {
                let mut entries = IndexMap::new();
                while let Some(key) = map.next_key::<String>()? {
                    let value = map.next_value::<Located<Tree>>()?;
                    entries.insert(key, value);
                }
                Ok(Tree::Map(entries))
            }
        }
        d.deserialize_any(V)
    }
}

/// The plain value of a located tree, each string collected with its position on the way.
fn flatten(node: Located<Tree>, strings: &mut Vec<Located<String>>) -> Value {
    match node.value {
        Tree::Str(s) => {
            strings.push(Located {
                value: s.clone(),
                loc: node.loc,
            });
            Value::String(s)
        }
        Tree::Seq(items) => Value::Array(items.into_iter().map(|i| flatten(i, strings)).collect()),
        Tree::Map(entries) => Value::Object(
            entries
                .into_iter()
                .map(|(k, v)| (k, flatten(v, strings)))
                .collect(),
        ),
        Tree::Scalar(v) => v,
    }
}

impl<'de> Deserialize<'de> for JsonTemplate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let tree = Located::<Tree>::deserialize(d)?;
        let mut strings = Vec::new();
        let value = flatten(tree, &mut strings);
        Ok(JsonTemplate { value, strings })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::yaml;

    #[test]
    fn keeps_the_value_and_where_each_string_was_written() {
        let text = "json: { to: \"{{actors[to].id}}\", count: 3, post: { text: \"{{body}}\" },\n        files: [\"{{a}}\", true] }\n";
        let node = yaml::parse(text).expect("parses");
        let body = node.get("json").expect("json key");
        let t: JsonTemplate = yaml::from_node(body).expect("reads");
        assert_eq!(
            t.value,
            serde_json::json!({"to": "{{actors[to].id}}", "count": 3, "post": {"text": "{{body}}"}, "files": ["{{a}}", true]})
        );
        let at: Vec<(&str, u32, u32)> = t
            .strings
            .iter()
            .map(|s| (s.as_str(), s.loc.line, s.loc.column))
            .collect();
        assert_eq!(
            at,
            vec![
                ("{{actors[to].id}}", 1, 13),
                ("{{body}}", 1, 58),
                ("{{a}}", 2, 17)
            ]
        );
    }
}
