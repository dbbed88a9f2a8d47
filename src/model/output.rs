//! Output specs as written in a target profile: where a value is found in a response (JSONPath,
//! header, cookie, regex, literal, body fact, or a list mapped item by item) and what is done with
//! what was found (`transform:` or `template:`). Everything is compiled when the profile loads.

use std::fmt;

use indexmap::IndexMap;
use serde::Deserialize;
use serde::de::{self, Deserializer};

use super::located::Located;
use super::pattern::{PathExpr, Pattern};

/// Where a value is found in a response, and what becomes of it.
#[derive(Debug, Clone)]
pub struct OutputSpec {
    pub source: Source,
    /// Applied to everything the source matched; without one, the first match is the value.
    pub transform: Option<Transform>,
}

/// Where the matched values come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// JSONPath into the body: every match.
    Json(PathExpr),
    /// Every value of a header.
    Header(String),
    /// The value of a cookie the response sets.
    Cookie(String),
    /// Regex on the body: group 1 of every match if it has one, else the whole match.
    Regex(Pattern),
    /// A literal or template.
    Value(String),
    /// A fact about the body.
    Body(BodyFact),
    /// A list: `items` selects the elements, `item` maps each to contract names.
    List(ListSpec),
}

/// A list output: each element `items` selects becomes a record of the `item` fields.
#[derive(Debug, Clone)]
pub struct ListSpec {
    pub items: PathExpr,
    pub item: Located<IndexMap<Located<String>, ItemSpec>>,
    /// The body is CSV, read as a JSON list of rows before `items` selects from it.
    pub csv: Option<CsvSpec>,
}

/// How a CSV body becomes rows: with `header: true`, each row is an object keyed by the first
/// line's names (`$[*].user`); otherwise each row is a list of its cells (`$[*][0]`).
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsvSpec {
    #[serde(default)]
    pub header: bool,
}

/// One field of a list item: a JSONPath into the item or a value, with an optional transform.
#[derive(Debug, Clone)]
pub struct ItemSpec {
    pub source: ItemSource,
    pub transform: Option<Transform>,
}

/// Where a list item field comes from.
#[derive(Debug, Clone)]
pub enum ItemSource {
    /// JSONPath into the item (`$` is the item).
    Json(PathExpr),
    /// A literal or template.
    Value(String),
}

/// A fact about a response body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BodyFact {
    Sha256,
    Size,
    Text,
}

/// What is done with the values a source matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transform {
    /// `true` when something other than null matched.
    Exists,
    /// `true` when something matched that is not null, `""`, `[]` or `{}`.
    NotEmpty,
    /// How many values matched (the elements, when the match is one list).
    Count,
    /// The first value (the first element, when the match is one list).
    First,
    /// The values as text, joined with this separator.
    Join(String),
    /// A template rendered with `item` bound to the first match.
    Template(String),
}

/// The names `transform:` takes, for messages and suggestions.
const TRANSFORMS: &[&str] = &["exists", "not_empty", "count", "first", "join"];

impl<'de> Deserialize<'de> for Transform {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = Transform;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("one of `exists`, `not_empty`, `count`, `first` or `{join: SEPARATOR}`")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Transform, E> {
                match s {
                    "exists" => Ok(Transform::Exists),
                    "not_empty" => Ok(Transform::NotEmpty),
                    "count" => Ok(Transform::Count),
                    "first" => Ok(Transform::First),
                    "join" => Err(E::custom(
                        "`join` takes its separator: `transform: { join: \", \" }`",
                    )),
                    other => Err(E::unknown_variant(other, TRANSFORMS)),
                }
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Transform, A::Error> {
                #[derive(Deserialize)]
                #[serde(deny_unknown_fields)]
                struct Join {
                    join: String,
                }
                let j = Join::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(Transform::Join(j.join))
            }
        }
        d.deserialize_any(V)
    }
}

/// An output spec as written in a mapping.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Repr {
    #[serde(default)]
    json: Option<PathExpr>,
    #[serde(default)]
    header: Option<String>,
    #[serde(default)]
    cookie: Option<String>,
    #[serde(default)]
    regex: Option<Pattern>,
    #[serde(default)]
    value: Option<String>,
    #[serde(default)]
    body: Option<BodyFact>,
    #[serde(default)]
    items: Option<PathExpr>,
    #[serde(default)]
    item: Option<Located<IndexMap<Located<String>, ItemSpec>>>,
    #[serde(default)]
    csv: Option<CsvSpec>,
    #[serde(default)]
    transform: Option<Transform>,
    #[serde(default)]
    template: Option<String>,
}

const SHAPE: &str = "an output is a JSONPath (`$.id`) or exactly one of {json, header, cookie, regex, value, body} or {items, item}";

impl Repr {
    fn into_spec<E: de::Error>(self) -> Result<OutputSpec, E> {
        let list = match (self.items, self.item) {
            (Some(items), Some(item)) => Some(Source::List(ListSpec {
                items,
                item,
                csv: self.csv,
            })),
            (None, None) if self.csv.is_some() => {
                return Err(E::custom("`csv:` reads a list: give it `items` and `item`"));
            }
            (None, None) => None,
            _ => return Err(E::custom("`items` and `item` go together")),
        };
        let transform = match (self.transform, self.template) {
            (Some(_), Some(_)) => {
                return Err(E::custom(
                    "an output takes `transform:` or `template:`, not both",
                ));
            }
            (t, template) => t.or(template.map(Transform::Template)),
        };
        let mut given = [
            self.json.map(Source::Json),
            self.header.map(Source::Header),
            self.cookie.map(Source::Cookie),
            self.regex.map(Source::Regex),
            self.value.map(Source::Value),
            self.body.map(Source::Body),
            list,
        ]
        .into_iter()
        .flatten();
        match (given.next(), given.next()) {
            (Some(source), None) => Ok(OutputSpec { source, transform }),
            _ => Err(E::custom(SHAPE)),
        }
    }
}

/// A string is a JSONPath when it starts with `$`, else a literal or template.
fn from_text<E: de::Error>(s: &str) -> Result<OutputSpec, E> {
    let source = if s.starts_with('$') {
        Source::Json(PathExpr::new(s).map_err(E::custom)?)
    } else {
        Source::Value(s.to_string())
    };
    Ok(OutputSpec {
        source,
        transform: None,
    })
}

impl<'de> Deserialize<'de> for OutputSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = OutputSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(SHAPE)
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<OutputSpec, E> {
                from_text(s)
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<OutputSpec, A::Error> {
                Repr::deserialize(de::value::MapAccessDeserializer::new(map))?.into_spec()
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for ItemSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spec = OutputSpec::deserialize(d)?;
        let source = match spec.source {
            Source::Json(p) => ItemSource::Json(p),
            Source::Value(v) => ItemSource::Value(v),
            _ => {
                return Err(de::Error::custom(
                    "a list item field is a JSONPath into the item (`$.id`, `{json: …}`) or a `value`",
                ));
            }
        };
        Ok(ItemSpec {
            source,
            transform: spec.transform,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(yaml: &str) -> Result<OutputSpec, String> {
        let node = crate::model::yaml::parse(yaml).map_err(|e| e.message)?;
        crate::model::yaml::from_node::<OutputSpec>(&node).map_err(|e| e.message)
    }

    #[test]
    fn output_specs_take_exactly_one_source() {
        assert!(
            matches!(spec("$.id"), Ok(OutputSpec { source: Source::Json(p), transform: None }) if p.as_str() == "$.id")
        );
        assert!(
            matches!(spec("'{{key}}'"), Ok(OutputSpec { source: Source::Value(v), .. }) if v == "{{key}}")
        );
        assert!(
            matches!(spec("{ header: Location }"), Ok(OutputSpec { source: Source::Header(h), .. }) if h == "Location")
        );
        assert!(matches!(
            spec("{ body: sha256 }"),
            Ok(OutputSpec {
                source: Source::Body(BodyFact::Sha256),
                ..
            })
        ));
        assert!(matches!(
            spec("{ items: '$.a[*]', item: { id: $.id } }"),
            Ok(OutputSpec {
                source: Source::List(_),
                ..
            })
        ));
        assert!(
            spec("{ json: $.a, header: X }")
                .unwrap_err()
                .contains("exactly one")
        );
        assert!(
            spec("{ items: '$.a[*]' }")
                .unwrap_err()
                .contains("go together")
        );
        assert!(spec("{ jsn: $.a }").is_err());
    }

    #[test]
    fn transforms_and_templates_follow_the_source() {
        let t = |yaml: &str| spec(yaml).map(|s| s.transform);
        assert_eq!(
            t("{ json: $.seen_by, transform: not_empty }"),
            Ok(Some(Transform::NotEmpty))
        );
        assert_eq!(
            t("{ json: $.seen_by, transform: exists }"),
            Ok(Some(Transform::Exists))
        );
        assert_eq!(
            t("{ header: Link, transform: count }"),
            Ok(Some(Transform::Count))
        );
        assert_eq!(
            t("{ json: '$.to[*]', transform: first }"),
            Ok(Some(Transform::First))
        );
        assert_eq!(
            t("{ json: '$.tags[*]', transform: { join: ', ' } }"),
            Ok(Some(Transform::Join(", ".into())))
        );
        assert_eq!(
            t("{ json: $, template: '{{item.subject}} {{item.body}}' }"),
            Ok(Some(Transform::Template(
                "{{item.subject}} {{item.body}}".into()
            )))
        );
        let unknown = t("{ json: $.a, transform: not-empty }").unwrap_err();
        assert!(
            unknown.starts_with("unknown variant `not-empty`"),
            "{unknown}"
        );
        assert!(
            t("{ json: $.a, transform: join }")
                .unwrap_err()
                .contains("takes its separator")
        );
        assert!(
            t("{ json: $.a, transform: count, template: '{{item}}' }")
                .unwrap_err()
                .contains("not both")
        );
    }

    #[test]
    fn list_item_fields_are_paths_into_the_item_or_values() {
        let list = spec(
            "{ items: '$.posts[*]', item: { read: { json: $.seen_by, transform: not_empty }, kind: message } }",
        )
        .expect("parses");
        let Source::List(l) = list.source else {
            panic!("a list");
        };
        let read = l.item.get(&Located::new("read".to_string())).expect("read");
        assert!(matches!(read.source, ItemSource::Json(_)));
        assert_eq!(read.transform, Some(Transform::NotEmpty));
        assert!(
            spec("{ items: '$.posts[*]', item: { size: { body: size } } }")
                .unwrap_err()
                .contains("a list item field is")
        );
    }
}
