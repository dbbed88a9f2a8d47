//! Regular expressions and JSONPaths compiled when the file is read: a bad one is a load error
//! pointing into the file, and nothing is compiled again while the checks run. A JSONPath that
//! embeds a template (`$.items[?(@.id == '{{message_id}}')]`) can only be compiled once rendered.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer};
use serde_json::Value;
use serde_json_path::JsonPath;

use super::template;

/// A regular expression, compiled.
#[derive(Clone, Debug)]
pub struct Pattern(regex::Regex);

impl Pattern {
    /// Compiles `source`; the error says what is wrong in one line.
    pub fn new(source: &str) -> Result<Pattern, String> {
        regex::Regex::new(source).map(Pattern).map_err(|e| {
            let why = e.to_string();
            let last = why.lines().last().unwrap_or("").trim().to_string();
            format!("invalid regular expression `{source}`: {last}")
        })
    }

    /// Whether the pattern matches somewhere in `text`.
    pub fn is_match(&self, text: &str) -> bool {
        self.0.is_match(text)
    }

    /// The compiled expression, for captures.
    pub fn regex(&self) -> &regex::Regex {
        &self.0
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Pattern::new(&String::deserialize(d)?).map_err(de::Error::custom)
    }
}

/// A JSONPath: compiled when read, or kept as a template to render where it runs.
#[derive(Clone, Debug)]
pub enum PathExpr {
    Compiled { source: String, path: JsonPath },
    Template(String),
}

impl PathExpr {
    /// Compiles `source` unless it holds a template.
    pub fn new(source: &str) -> Result<PathExpr, String> {
        if template::is_template(source) {
            return Ok(PathExpr::Template(source.to_string()));
        }
        JsonPath::parse(source)
            .map(|path| PathExpr::Compiled {
                source: source.to_string(),
                path,
            })
            .map_err(|e| format!("invalid JSONPath `{source}`: {e}"))
    }

    /// The path as written.
    pub fn as_str(&self) -> &str {
        match self {
            PathExpr::Compiled { source, .. } | PathExpr::Template(source) => source,
        }
    }

    /// The path to query with, and its text: as compiled, or rendered with `ctx` and compiled.
    pub fn resolve(&self, ctx: &Value) -> Result<(Cow<'_, str>, Cow<'_, JsonPath>), String> {
        match self {
            PathExpr::Compiled { source, path } => {
                Ok((Cow::Borrowed(source.as_str()), Cow::Borrowed(path)))
            }
            PathExpr::Template(source) => {
                let rendered = template::render(source, ctx).map_err(|e| e.0)?;
                let path = JsonPath::parse(&rendered)
                    .map_err(|e| format!("invalid JSONPath `{rendered}`: {e}"))?;
                Ok((Cow::Owned(rendered), Cow::Owned(path)))
            }
        }
    }
}

impl PartialEq for PathExpr {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for PathExpr {}

impl std::hash::Hash for PathExpr {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Display for PathExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PathExpr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        PathExpr::new(&String::deserialize(d)?).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiled_once_or_rendered_where_it_runs() {
        assert!(Pattern::new("a(").is_err());
        assert!(Pattern::new("^no-store").is_ok_and(|p| p.is_match("no-store, private")));
        assert!(PathExpr::new("$[").is_err());
        let fixed = PathExpr::new("$.a").expect("compiles");
        assert!(matches!(fixed, PathExpr::Compiled { .. }));
        let templated = PathExpr::new("$.items[?(@.id == '{{id}}')].body").expect("kept");
        let ctx = serde_json::json!({"id": "m-1"});
        let (text, path) = templated.resolve(&ctx).expect("renders");
        assert_eq!(text, "$.items[?(@.id == 'm-1')].body");
        let doc = serde_json::json!({"items": [{"id": "m-1", "body": "hi"}]});
        assert_eq!(path.query(&doc).all(), vec![&serde_json::json!("hi")]);
    }
}
