//! Regular expressions and JSONPaths compiled when the file is read: a bad one is a load error
//! pointing into the file, and nothing is compiled again while the checks run. A JSONPath that
//! embeds a template (`$.items[?(@.id == '{{message_id}}')]`) is compiled with placeholder values
//! when read, so that a mistake in the path is a load error too, and compiled for good once
//! rendered where it runs.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer};
use serde_json::Value;
use serde_json_path::JsonPath;

use super::diag::shorten;
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
            format!("invalid regular expression `{}`: {last}", shorten(source))
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

/// The deepest nesting of brackets and parentheses a JSONPath may have. The JSONPath parser
/// recurses once per level, so thousands of `(` would overflow the stack.
pub const MAX_JSONPATH_DEPTH: usize = 32;

/// The most filter selectors (`[?…]`) a JSONPath may nest. The parser's time grows
/// exponentially with their nesting: 24 levels take seconds, 30 never end.
pub const MAX_JSONPATH_FILTERS: usize = 6;

/// A JSONPath that cannot be compiled.
#[derive(Debug, thiserror::Error)]
pub enum JsonPathError {
    /// It nests brackets and parentheses deeper than [`MAX_JSONPATH_DEPTH`].
    #[error(
        "at position {position}, the JSONPath nests {depth} levels deep; the limit is {MAX_JSONPATH_DEPTH}"
    )]
    TooDeep { depth: usize, position: usize },
    /// It nests more filter selectors than [`MAX_JSONPATH_FILTERS`].
    #[error(
        "at position {position}, the JSONPath nests {filters} filters (`[?…]`); the limit is {MAX_JSONPATH_FILTERS}"
    )]
    TooManyFilters { filters: usize, position: usize },
    /// The parser rejects it.
    #[error("{0}")]
    Syntax(#[from] serde_json_path::ParseError),
}

impl JsonPathError {
    /// The offset in the path where it goes wrong.
    pub fn position(&self) -> usize {
        match self {
            JsonPathError::TooDeep { position, .. }
            | JsonPathError::TooManyFilters { position, .. } => *position,
            JsonPathError::Syntax(e) => e.position(),
        }
    }

    /// What is wrong, without the position.
    pub fn message(&self) -> String {
        match self {
            JsonPathError::TooDeep { depth, .. } => {
                format!("the JSONPath nests {depth} levels deep; the limit is {MAX_JSONPATH_DEPTH}")
            }
            JsonPathError::TooManyFilters { filters, .. } => format!(
                "the JSONPath nests {filters} filters (`[?…]`); the limit is {MAX_JSONPATH_FILTERS}"
            ),
            JsonPathError::Syntax(e) => e.message().to_string(),
        }
    }
}

/// Compiles a JSONPath; every JSONPath vvcheck reads goes through here, so none reaches the
/// parser nested deeper than its limits.
pub fn parse_jsonpath(source: &str) -> Result<JsonPath, JsonPathError> {
    nesting(source)?;
    Ok(JsonPath::parse(source)?)
}

/// Checks the nesting of brackets, parentheses and filters, outside quoted names and strings.
fn nesting(source: &str) -> Result<(), JsonPathError> {
    // Each open bracket or parenthesis, and whether it is a bracket holding a filter.
    let mut open: Vec<(u8, bool)> = Vec::new();
    let mut filters = 0;
    let mut quote = None;
    let mut escaped = false;
    for (position, b) in source.bytes().enumerate() {
        if let Some(q) = quote {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                _ if b == q => quote = None,
                _ => {}
            }
            continue;
        }
        match b {
            b'\'' | b'"' => quote = Some(b),
            b'[' | b'(' => {
                open.push((b, false));
                if open.len() > MAX_JSONPATH_DEPTH {
                    return Err(JsonPathError::TooDeep {
                        depth: open.len(),
                        position,
                    });
                }
            }
            b']' | b')' => {
                if let Some((_, true)) = open.pop() {
                    filters -= 1;
                }
            }
            b'?' => {
                if let Some((b'[', is_filter @ false)) = open.last_mut() {
                    *is_filter = true;
                    filters += 1;
                    if filters > MAX_JSONPATH_FILTERS {
                        return Err(JsonPathError::TooManyFilters { filters, position });
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// A JSONPath: compiled when read, or kept as a template to render where it runs.
#[derive(Clone, Debug)]
pub enum PathExpr {
    Compiled { source: String, path: JsonPath },
    Template(String),
}

impl PathExpr {
    /// Compiles `source`; one that holds a template is compiled with placeholder values, so
    /// that a mistake in the path itself is found when the file is read, and kept to render
    /// where it runs.
    pub fn new(source: &str) -> Result<PathExpr, String> {
        if template::is_template(source) {
            check_with_placeholders(source)?;
            return Ok(PathExpr::Template(source.to_string()));
        }
        parse_jsonpath(source)
            .map(|path| PathExpr::Compiled {
                source: source.to_string(),
                path,
            })
            .map_err(|e| format!("invalid JSONPath `{}`: {e}", shorten(source)))
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
                let path = parse_jsonpath(&rendered)
                    .map_err(|e| format!("invalid JSONPath `{}`: {e}", shorten(&rendered)))?;
                Ok((Cow::Owned(rendered), Cow::Owned(path)))
            }
        }
    }
}

/// Values put in place of each `{{ … }}` of a templated path to compile it when it is read: a
/// number fits an index or a comparison, a word fits a member name, and either fits in quotes.
const PLACEHOLDERS: [&str; 2] = ["0", "x"];

/// Whether a templated path compiles once its expressions are rendered, for some placeholder.
/// Statements (`{% … %}`) can change a path's shape, so such a path is only judged where it
/// runs.
fn check_with_placeholders(source: &str) -> Result<(), String> {
    if source.contains("{%") {
        return Ok(());
    }
    let mut first = None;
    for placeholder in PLACEHOLDERS {
        let rendered = Rendered::new(source, placeholder);
        match parse_jsonpath(&rendered.text) {
            Ok(_) => return Ok(()),
            Err(e) => {
                first.get_or_insert_with(|| {
                    format!(
                        "at position {}, {}",
                        rendered.source_offset(e.position()),
                        e.message()
                    )
                });
            }
        }
    }
    // The position is mapped back into the path as written, so nothing here names the
    // placeholders.
    Err(format!(
        "invalid JSONPath `{}`: {}",
        shorten(source),
        first.unwrap_or_default()
    ))
}

/// A templated path with every `{{ … }}` replaced by one placeholder.
struct Rendered {
    text: String,
    /// Each replacement: where it starts in `text`, and the source range it replaced.
    replaced: Vec<(usize, std::ops::Range<usize>)>,
    placeholder_len: usize,
}

impl Rendered {
    fn new(source: &str, placeholder: &str) -> Rendered {
        let mut text = String::with_capacity(source.len());
        let mut replaced = Vec::new();
        let mut rest = 0;
        while let Some(open) = source[rest..].find("{{").map(|i| rest + i) {
            let Some(close) = source[open..].find("}}").map(|i| open + i + 2) else {
                break;
            };
            text.push_str(&source[rest..open]);
            replaced.push((text.len(), open..close));
            text.push_str(placeholder);
            rest = close;
        }
        text.push_str(&source[rest..]);
        Rendered {
            text,
            replaced,
            placeholder_len: placeholder.len(),
        }
    }

    /// The offset in the source of offset `at` in the rendered text (a position inside a
    /// placeholder is the start of the expression it replaced).
    fn source_offset(&self, at: usize) -> usize {
        let mut shift = 0isize;
        for (start, range) in &self.replaced {
            if at < *start {
                break;
            }
            if at < start + self.placeholder_len {
                return range.start;
            }
            shift += range.len() as isize - self.placeholder_len as isize;
        }
        at.saturating_add_signed(shift)
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

    #[test]
    fn nesting_is_limited_before_the_parser_sees_the_path() {
        let deep = format!("$[?{}@.a{}]", "(".repeat(4000), ")".repeat(4000));
        let err = parse_jsonpath(&deep).expect_err("too deep");
        assert!(
            matches!(
                err,
                JsonPathError::TooDeep {
                    depth: 33,
                    position: 34
                }
            ),
            "{err}"
        );
        let filters = format!("$.a{}{}", "[?@".repeat(24), "]".repeat(24));
        let err = parse_jsonpath(&filters).expect_err("too many filters");
        assert!(
            matches!(err, JsonPathError::TooManyFilters { filters: 7, .. }),
            "{err}"
        );
        let six = format!("$.a{}{}", "[?@".repeat(6), "]".repeat(6));
        assert!(!matches!(
            parse_jsonpath(&six),
            Err(JsonPathError::TooManyFilters { .. })
        ));
        // Brackets inside quoted names and strings are text, not nesting.
        let quoted = format!("$[?@.a == '{}']", "(".repeat(100));
        assert!(parse_jsonpath(&quoted).is_ok());
    }

    #[test]
    fn a_templated_path_is_compiled_with_placeholders_when_read() {
        for fine in [
            "$.posts[?@.pid == '{{message_id}}'].body",
            "$.posts[{{ index }}].body",
            "$.{{ field }}.id",
            "$.posts[?@.n > {{n}} && @.id == \"{{ id }}\"]",
        ] {
            assert!(PathExpr::new(fine).is_ok(), "{fine}");
        }
        let err = PathExpr::new("$.posts[?@.pid = '{{message_id}}'].body").expect_err("`=`");
        assert!(
            err.starts_with(
                "invalid JSONPath `$.posts[?@.pid = '{{message_id}}'].body`: at position 15,"
            ),
            "{err}"
        );
        let err = PathExpr::new("$.a[?@.x == '{{ id }}' && @.y = 1]").expect_err("`=`");
        assert!(
            err.contains("at position 30,"),
            "mapped back past the template: {err}"
        );
    }
}
